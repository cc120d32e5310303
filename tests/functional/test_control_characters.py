"""NUL bytes and other control characters never reach a query: in a form field, a query
string parameter, a URL path segment or an API parameter they get a field error, a 400 or
a 404, never a 500 (PostgreSQL refuses NUL in text outright) and never a write.

The suite runs these on SQLite and, in its PostgreSQL pass, on PostgreSQL.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse
from wtforms import StringField

from forumapp.extensions import db
from forumapp.forms import ForumForm
from forumapp.forum.models import Category, Forum, Post, Report, Topic
from forumapp.text import CONTROL_CHARACTERS
from forumapp.users.models import Group, User
from tests.api_support import API, bearer, issue_token
from tests.conftest import AuthActions, csrf_token
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as

CONTROLS = [pytest.param("\x00", id="NUL"), pytest.param("\x1b", id="ESC")]
WRITTEN = (User, Group, Category, Forum, Topic, Post, Report)


def rows(app: Flask) -> tuple[int, ...]:
    """How many rows each table that a form could write to holds."""
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model)) or 0 for model in WRITTEN
        )


def assert_refused(response: TestResponse, *statuses: int) -> None:
    """A 4xx among ``statuses``, or the form again with the control-character error."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code == 200:
        assert str(CONTROL_CHARACTERS) in response.text, response.text[:2000]
    else:
        assert response.status_code in statuses, (response.status_code, response.text[:500])


# -- URL path segments ---------------------------------------------------------------------------

PATHS = [
    "/user/a{c}b",
    "/user/{c}",
    "/auth/activate/confirm/a{c}b",
    "/auth/reset-password/a{c}b",
    "/topic/{topic}-a{c}b",
    "/forum/{forum}-a{c}b",
]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize("template", PATHS)
def test_control_characters_in_a_url_path_are_a_404(
    client: FlaskClient, world: World, template: str, char: str
) -> None:
    topic = world.topic()
    path = template.format(c=quote(char), topic=topic, forum=world.forum_a)

    response = client.get(path)

    assert response.status_code == 404, response.text[:500]


# -- query strings -------------------------------------------------------------------------------

STAFF_QUERIES = [
    "/admin/users?q=a{c}b",
    "/admin/audit?action=a{c}b",
    "/admin/audit?actor=a{c}b",
    "/admin/audit?action={c}&actor={c}",
]
MEMBER_QUERIES = [
    "/search?q=a{c}b",
    "/search?q=word&author=a{c}b",
    "/search?q=a{c}b&author=a{c}b",
]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize("template", STAFF_QUERIES + MEMBER_QUERIES)
def test_control_characters_in_a_query_string_are_refused(
    client: FlaskClient, auth: AuthActions, world: World, template: str, char: str
) -> None:
    login_as(auth, world, "admin")
    world.topic()

    response = client.get(template.format(c=quote(char)))

    assert_refused(response, 400)


API_QUERIES = [
    "/topics/?cursor=a{c}b",
    "/posts/?cursor={c}",
    "/users/?cursor={c}",
    "/forums/?cursor=a{c}b&category_id=1",
]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize("template", API_QUERIES)
def test_control_characters_in_api_query_parameters_are_a_4xx_problem(
    app: Flask, client: FlaskClient, world: World, template: str, char: str
) -> None:
    secret = issue_token(app, world.users["member"])

    response = client.get(API + template.format(c=quote(char)), headers=bearer(secret))

    assert response.status_code in (400, 422), response.text[:500]
    assert response.mimetype == "application/problem+json"


# -- form fields -----------------------------------------------------------------------------


def _page_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, f"no form at {path}"
    return match.group(1)


#: (path, a valid submission, the fields to spoil), for a guest
GUEST_FORMS = [
    ("/auth/login", {"login": "alice", "password": "x"}, ["login", "password"]),
    (
        "/auth/register",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password": "a perfectly fine passphrase",
            "confirm_password": "a perfectly fine passphrase",
            "language": "en",
            "accept_tos": "y",
        },
        ["username", "email", "password"],
    ),
    ("/auth/reset-password", {"email": "alice@example.org"}, ["email"]),
    ("/auth/activate", {"email": "alice@example.org"}, ["email"]),
    ("/auth/activate/confirm", {"token": "abc.def"}, ["token"]),
]
GUEST_CASES = [
    pytest.param(path, valid, name, id=f"{path}-{name}")
    for path, valid, names in GUEST_FORMS
    for name in names
]


@pytest.mark.parametrize("config_overrides", [{}])  # every rate limit on, as deployed
@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize(("path", "valid", "name"), GUEST_CASES)
def test_control_characters_in_a_guest_form_field_are_refused_with_limits_on(
    app: Flask,
    client: FlaskClient,
    world: World,
    path: str,
    valid: dict[str, str],
    name: str,
    char: str,
) -> None:
    before = rows(app)
    data = {**valid, name: f"a{char}b", "csrf_token": csrf_token(client, path)}

    response = client.post(path, data=data)

    assert_refused(response, 400)
    assert rows(app) == before


def _admin_forms(world: World) -> list[tuple[str, dict[str, str], list[str]]]:
    member = world.users["member"]
    return [
        (
            f"/admin/users/{member}/edit",
            {"username": "alice", "email": "alice@example.org", "group_id": "4"},
            ["username", "email"],
        ),
        (f"/admin/users/{member}/ban", {"reason": "spam"}, ["reason"]),
        ("/admin/groups/new", {"name": "Helpers", "description": "x"}, ["name"]),
        ("/admin/categories/new", {"title": "News", "description": "x"}, ["title"]),
        (
            "/admin/forums/new",
            {"category_id": "1", "title": "Plans", "description": "x"},
            ["title"],
        ),
        ("/settings/tokens", {"name": "laptop", "scope": "read"}, ["name"]),
        (
            f"/forum/{world.forum_a}/new-topic",
            {"title": "A title", "content": "Some text", "submit": "post"},
            ["title", "content"],
        ),
    ]


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_in_staff_and_member_form_fields_are_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, char: str
) -> None:
    login_as(auth, world, "admin")
    for path, valid, names in _admin_forms(world):
        for name in names:
            before = rows(app)
            data = {**valid, name: f"a{char}b", "csrf_token": _page_token(client, path)}

            response = client.post(path, data=data)

            assert_refused(response, 400)
            assert rows(app) == before, (path, name)


class LookupForm(ForumForm):
    """A form whose field validator stands for one that looks the value up."""

    class Meta:
        csrf = False

    name = StringField("Name")

    def __init__(self) -> None:
        super().__init__()
        self.looked_up: list[str] = []

    def validate_name(self, field: StringField) -> None:
        self.looked_up.append(field.data)


@pytest.mark.parametrize("char", CONTROLS)
def test_no_field_validator_sees_control_characters(app: Flask, char: str) -> None:
    with app.test_request_context(method="POST", data={"name": f"a{char}b"}):
        form = LookupForm()
        valid = form.validate()

    assert not valid
    assert form.name.errors == [CONTROL_CHARACTERS]
    assert form.looked_up == []

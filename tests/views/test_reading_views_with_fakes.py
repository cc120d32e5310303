"""The reading pages with fake services injected through ``as_view``: the blueprint in a
bare Flask app with no database, who is asking handed to the services as arguments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask_login import LoginManager
from werkzeug.test import TestResponse

from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.forum.reading import Reader
from forumapp.reading import create_reading_blueprint, default_factories
from forumapp.reading.factories import ReadingFactories
from forumapp.reading.members import MemberSort
from forumapp.reading.pages import MemberPage, MembersOnlyPage
from tests.fakes import FakeUser
from tests.views.test_forum_views_with_fakes import Recorder

MEMBER = FakeUser(id=8, username="ann", email="ann@example.org", password_hash="x")
ACTOR = Actor(8, "ann", 4, GroupFlags(guest=False), visible_forums=frozenset({3}))
READER = Reader(8, datetime(2026, 1, 1, tzinfo=UTC))
SINCE = datetime(2026, 2, 1, tzinfo=UTC)


def fakes(**given: Any) -> ReadingFactories:
    """forumapp's factories with the fake actor, reader and moment, and ``given`` ones."""
    return replace(
        default_factories(),
        actor=lambda: ACTOR,
        reader=lambda: READER,
        new_since=lambda: SINCE,
        **given,
    )


def bare_app(factories: ReadingFactories, member: FakeUser | None = MEMBER) -> Flask:
    """A Flask app with no database and no templates: pages render their context."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="x", TOPICS_PER_PAGE=20, MEMBERS_PER_PAGE=30, MEMBER_LIST_FOR_GUESTS=True
    )
    LoginManager(app).request_loader(lambda request: member)
    # Where forumapp's login_required sends guests once an app has named its login page.
    app.add_url_rule("/auth/login", endpoint="auth.login", view_func=lambda: "log in")
    app.register_blueprint(create_reading_blueprint(factories))
    return app


def asked_to_log_in(response: TestResponse) -> bool:
    """Whether a guest was sent to log in (or, with no login page named, refused)."""
    return response.status_code == 401 or (
        response.status_code == 302 and "/auth/login" in response.location
    )


@pytest.fixture(autouse=True)
def contexts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The contexts the pages render their templates with."""
    seen: list[dict[str, Any]] = []

    def render(template: str, **context: Any) -> str:
        seen.append({"template": template, **context})
        return template

    monkeypatch.setattr("forumapp.views.render_template", render)
    return seen


def test_unread_asks_the_injected_listings_for_the_injected_reader() -> None:
    listings = Recorder(unread="the listing")
    app = bare_app(fakes(listings=lambda: listings))
    assert app.test_client().get("/unread?page=3").text == "reading/unread.html"
    assert listings.calls == [("unread", (ACTOR, READER, 3, 20))]
    assert app.view_functions["reading.unread"].view_class is MembersOnlyPage  # type: ignore[attr-defined]


def test_unread_asks_guests_to_log_in_without_reaching_a_service() -> None:
    listings = Recorder()
    app = bare_app(fakes(listings=lambda: listings), member=None)
    assert asked_to_log_in(app.test_client().get("/unread"))
    assert listings.calls == []


def test_new_lists_from_the_injected_moment(contexts: list[dict[str, Any]]) -> None:
    listings = Recorder(new="the listing")
    app = bare_app(fakes(listings=lambda: listings))
    assert app.test_client().get("/new").status_code == 200
    assert listings.calls == [("new", (ACTOR, READER, SINCE, 1, 20))]
    assert contexts[-1]["since"] == SINCE


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ("", MemberSort.NAME, False, 1, 30)),
        ("?q=Al&sort=posts&order=desc&page=2", ("Al", MemberSort.POSTS, True, 2, 30)),
        ("?sort=joined", ("", MemberSort.JOINED, False, 1, 30)),
        # Not a valid form: the default list, with the errors beside the form.
        ("?q=Al&sort=email&order=desc", ("", MemberSort.NAME, False, 1, 30)),
    ],
)
def test_members_hands_the_parsed_form_to_the_directory(
    contexts: list[dict[str, Any]], query: str, expected: tuple[Any, ...]
) -> None:
    members = Recorder(page="a page")
    app = bare_app(fakes(members=lambda: members), member=None)
    assert app.test_client().get(f"/members{query}").status_code == 200
    assert members.calls == [("page", expected)]
    assert bool(contexts[-1]["form"].errors) == ("email" in query)
    assert app.view_functions["reading.members"].view_class is MemberPage  # type: ignore[attr-defined]


def test_members_can_be_closed_to_guests() -> None:
    members = Recorder(page="a page")
    app = bare_app(fakes(members=lambda: members), member=None)
    app.config["MEMBER_LIST_FOR_GUESTS"] = False
    assert asked_to_log_in(app.test_client().get("/members"))
    assert members.calls == []

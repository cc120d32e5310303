"""Bad input to the API never gives a 500 and never writes: bodies that are not JSON, JSON
that is not the schema, values of the wrong type or size, ids out of range, huge bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.forum.forms import CONTENT_MAX_LENGTH
from forumapp.forum.models import TITLE_MAX_LENGTH, Post, Topic
from tests.api_support import (
    API,
    NO_RATE_LIMITS,
    ApiClient,
    api_as,
    assert_problem,
    bearer,
    field_names,
    issue_token,
)
from tests.forum_world import World

MAX_BODY = 64 * 1024


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {**NO_RATE_LIMITS, "MAX_CONTENT_LENGTH": MAX_BODY}


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        topics = db.session.scalar(select(func.count()).select_from(Topic)) or 0
        posts = db.session.scalar(select(func.count()).select_from(Post)) or 0
        return topics, posts


def raw_post(client: FlaskClient, world: World, path: str, body: bytes, content_type: str) -> Any:
    headers = {**bearer(issue_token(world.app, world.users["admin"])), "Content-Type": content_type}
    return client.post(API + path, data=body, headers=headers)


@pytest.mark.parametrize(
    "body",
    [b"{", b"", b"{'forum_id': 1}", b'{"title": "x",}', b"\xff\xfe{}", b'{"a": 1} extra'],
)
def test_a_body_that_is_not_json_is_a_400(client: FlaskClient, world: World, body: bytes) -> None:
    response = raw_post(client, world, "/topics/", body, "application/json")
    assert_problem(response, 400)
    assert counts(world.app) == (0, 0)


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""],
)
def test_a_body_that_is_not_declared_json_is_a_415(
    client: FlaskClient, world: World, content_type: str
) -> None:
    body = b'{"forum_id": 1, "title": "Hello", "content": "x"}'
    assert_problem(raw_post(client, world, "/topics/", body, content_type), 415)
    assert counts(world.app) == (0, 0)


def test_a_415_on_patch_says_which_patch_format_is_accepted(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    api = api_as(world, client, "admin")
    response = api.patch(f"/topics/{topic}", data="title=x", content_type="text/plain")
    assert_problem(response, 415)
    assert response.headers["Accept-Patch"] == "application/json"


def test_json_with_a_charset_parameter_is_accepted(client: FlaskClient, world: World) -> None:
    body = b'{"forum_id": 1, "title": "Hello", "content": "x"}'
    response = raw_post(client, world, "/topics/", body, "application/json; charset=utf-8")
    assert response.status_code == 201


@pytest.mark.parametrize("body", [[], "text", None, 5, [{"forum_id": 1}]])
def test_json_that_is_not_an_object_is_a_422(client: FlaskClient, world: World, body: Any) -> None:
    response = api_as(world, client, "admin").request(
        "POST", "/topics/", data=json.dumps(body), content_type="application/json"
    )
    assert_problem(response, 422)


def test_missing_fields_are_named(client: FlaskClient, world: World) -> None:
    response = api_as(world, client, "member").post("/topics/", {"title": "Only a title"})
    assert field_names(response) == {"forum_id", "content"}
    assert {e["in"] for e in assert_problem(response, 422)["errors"]} == {"body"}


def test_unknown_fields_are_refused_not_ignored(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    api = api_as(world, client, "member")
    response = api.patch(f"/topics/{topic}", {"title": "Fine title", "user_id": 5})
    assert field_names(response) == {"user_id"}
    reply = api.post("/posts/", {"topic_id": topic, "content": "x", "hidden": False})
    assert field_names(reply) == {"hidden"}
    assert counts(world.app) == (1, 1)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/topics/", {"forum_id": "1", "title": "Hello", "content": "x"}, "forum_id"),
        ("/topics/", {"forum_id": 1.5, "title": "Hello", "content": "x"}, "forum_id"),
        ("/topics/", {"forum_id": True, "title": "Hello", "content": "x"}, "forum_id"),
        ("/topics/", {"forum_id": 1, "title": 12345, "content": "x"}, "title"),
        ("/topics/", {"forum_id": 1, "title": "Hello", "content": ["x"]}, "content"),
        ("/topics/", {"forum_id": 1, "title": "Hello", "content": {"x": 1}}, "content"),
        ("/topics/", {"forum_id": 2**63, "title": "Hello", "content": "x"}, "forum_id"),
        ("/topics/", {"forum_id": 10**30, "title": "Hello", "content": "x"}, "forum_id"),
        ("/topics/", {"forum_id": -1, "title": "Hello", "content": "x"}, "forum_id"),
        ("/topics/", {"forum_id": 0, "title": "Hello", "content": "x"}, "forum_id"),
        ("/posts/", {"topic_id": 2**64, "content": "x"}, "topic_id"),
        ("/posts/", {"topic_id": "1", "content": "x"}, "topic_id"),
        ("/forums/", {"category_id": 1, "title": "Forum", "locked": "true"}, "locked"),
        ("/forums/", {"category_id": 1, "title": "Forum", "locked": 1}, "locked"),
        ("/categories/", {"title": "Cat", "description": None}, "description"),
    ],
)
def test_values_of_the_wrong_type_are_a_422_naming_the_field(
    client: FlaskClient, world: World, path: str, body: dict[str, Any], field: str
) -> None:
    world.topic()
    before = counts(world.app)
    response = api_as(world, client, "admin").post(path, body)
    assert field_names(response) == {field}
    assert counts(world.app) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("locked", "true"), ("sticky", 0), ("forum_id", "2"), ("title", ["a"]), ("forum_id", 2**63)],
)
def test_patch_values_of_the_wrong_type_are_a_422(
    client: FlaskClient, world: World, field: str, value: object
) -> None:
    topic = world.topic()
    response = api_as(world, client, "admin").patch(f"/topics/{topic}", {field: value})
    assert field_names(response) == {field}


@pytest.mark.parametrize(
    ("title", "content", "field"),
    [
        ("x" * (TITLE_MAX_LENGTH + 1), "fine", "title"),
        ("ab", "fine", "title"),
        ("   a   ", "fine", "title"),
        ("Fine title", "x" * (CONTENT_MAX_LENGTH + 1), "content"),
        ("Fine title", "", "content"),
        ("Nul \x00 byte", "fine", "title"),
        ("Line\nbreak", "fine", "title"),
        ("Bell \x07", "fine", "title"),
        ("Fine title", "escape \x1b[31m", "content"),
        ("Fine title", "nul \x00", "content"),
    ],
)
def test_too_long_too_short_or_control_characters_are_a_422(
    client: FlaskClient, world: World, title: str, content: str, field: str
) -> None:
    response = api_as(world, client, "member").post(
        "/topics/", {"forum_id": world.forum_a, "title": title, "content": content}
    )
    assert field_names(response) == {field}
    assert counts(world.app) == (0, 0)


def test_a_lone_surrogate_is_refused_without_a_500(client: FlaskClient, world: World) -> None:
    response = api_as(world, client, "member").post(
        "/topics/", {"forum_id": world.forum_a, "title": "Fine", "content": "half \ud800"}
    )
    assert response.status_code in (400, 422)  # not even valid JSON text, to some parsers
    assert_problem(response, response.status_code)
    assert counts(world.app) == (0, 0)


def test_line_breaks_and_tabs_are_fine_in_content(client: FlaskClient, world: World) -> None:
    response = api_as(world, client, "member").post(
        "/topics/", {"forum_id": world.forum_a, "title": "Fine", "content": "a\n\tb\r\nc"}
    )
    assert response.status_code == 201


def test_the_longest_title_and_content_are_accepted(client: FlaskClient, world: World) -> None:
    response = api_as(world, client, "member").post(
        "/topics/",
        {
            "forum_id": world.forum_a,
            "title": "t" * TITLE_MAX_LENGTH,
            "content": "c" * min(CONTENT_MAX_LENGTH, MAX_BODY - 1000),
        },
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        f"/topics/{2**63}",
        f"/posts/{2**64}",
        f"/forums/{10**40}",
        f"/categories/{2**63 + 1}",
    ],
)
def test_ids_beyond_the_database_range_in_urls_are_404(
    client: FlaskClient, world: World, path: str
) -> None:
    assert_problem(ApiClient(client).get(path), 404)
    assert_problem(api_as(world, client, "admin").patch(path, {"title": "Hello"}), 404)
    assert_problem(ApiClient(client).get(f"/users/{2**63}"), 404)


@pytest.mark.parametrize(
    ("role", "path", "body", "field"),
    [
        ("member", "/topics/", {"forum_id": 999_999, "title": "Hello", "content": "x"}, "forum_id"),
        ("member", "/posts/", {"topic_id": 999_999, "content": "x"}, "topic_id"),
        ("admin", "/forums/", {"category_id": 999_999, "title": "Orphan"}, "category_id"),
    ],
)
def test_a_missing_parent_in_a_body_is_a_422_naming_its_field(
    client: FlaskClient, world: World, role: str, path: str, body: dict[str, Any], field: str
) -> None:
    assert field_names(api_as(world, client, role).post(path, body)) == {field}


def test_moving_a_topic_to_a_missing_forum_is_a_422_naming_the_field(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    response = api_as(world, client, "admin").patch(f"/topics/{topic}", {"forum_id": 999_999})
    assert field_names(response) == {"forum_id"}


def test_a_reply_to_a_topic_in_a_hidden_forum_is_refused_like_a_missing_one(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic("admin", forum=world.hidden_forum)
    api = api_as(world, client, "member")
    hidden = api.post("/posts/", {"topic_id": topic, "content": "sneaking in"})
    missing = api.post("/posts/", {"topic_id": 999_999, "content": "sneaking in"})
    assert assert_problem(hidden, 422)["errors"] == assert_problem(missing, 422)["errors"]
    assert counts(world.app) == (1, 1)


def test_a_body_over_the_size_limit_is_a_413_problem(client: FlaskClient, world: World) -> None:
    content = "x" * (MAX_BODY + 1)
    response = api_as(world, client, "member").post(
        "/topics/", {"forum_id": world.forum_a, "title": "Huge", "content": content}
    )
    assert_problem(response, 413)
    assert counts(world.app) == (0, 0)


def test_deeply_nested_json_is_refused_without_a_500(client: FlaskClient, world: World) -> None:
    body = b"[" * 20_000 + b"]" * 20_000
    response = raw_post(client, world, "/topics/", body, "application/json")
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


def test_queries_with_odd_values_are_refused_without_a_500(
    client: FlaskClient, world: World
) -> None:
    api = ApiClient(client)
    for query in ("forum_id=%00", "limit=%ff", "cursor=%00%00", "forum_id=1&forum_id=2"):
        response = api.get(f"/topics/?{query}")
        assert response.status_code < 500, query

"""``/api/v1/conversations/`` and ``/api/v1/conversations/<id>/messages/``: tokens and
scopes, pagination links, ETags, problem+json, and privacy (a 404 for anyone not in the
conversation)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.api.tokens import TokenScope
from forumapp.extensions import db
from forumapp.messages.models import Conversation, Message
from forumapp.sqltypes import utcnow
from forumapp.users.blocks import BlockService
from tests.api_support import assert_problem, bearer, field_names, issue_token
from tests.forum_world import World

API = "/api/v1/conversations/"


def headers(app: Flask, world: World, role: str, scope: TokenScope = TokenScope.WRITE) -> Any:
    return bearer(issue_token(app, world.users[role], scope))


def start(client: FlaskClient, auth: Any, **body: Any) -> Any:
    data = {"recipients": ["bob"], "subject": "Plans", "content": "Hello **Bob**", **body}
    return client.post(API, json=data, headers=auth)


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_member_starts_lists_and_replies_to_a_conversation(
    app: Flask, client: FlaskClient, world: World
) -> None:
    alice = headers(app, world, "member")
    created = start(client, alice)
    assert created.status_code == 201, created.get_json()
    conversation = created.get_json()
    assert conversation["participants"] == ["alice", "bob"] and conversation["started_by_me"]
    assert conversation["url"] == f"http://forum.test/messages/{conversation['id']}"
    assert created.headers["Location"] == f"http://forum.test{API}{conversation['id']}"
    bob = headers(app, world, "member2")
    listed = client.get(API, headers=bob).get_json()
    assert [item["id"] for item in listed["items"]] == [conversation["id"]]
    assert listed["items"][0]["unread"] is True
    messages = f"{API}{conversation['id']}/messages/"
    replied = client.post(messages, json={"content": "Yes"}, headers=bob)
    assert replied.status_code == 201
    assert replied.headers["Location"] == f"http://forum.test{messages}"
    texts = [m["content"] for m in client.get(messages, headers=alice).get_json()["items"]]
    assert texts == ["Hello **Bob**", "Yes"]


def test_message_pages_link_to_each_other_and_answer_304_while_unchanged(
    app: Flask, client: FlaskClient, world: World
) -> None:
    alice = headers(app, world, "member")
    conversation = start(client, alice).get_json()["id"]
    messages = f"{API}{conversation}/messages/"
    for n in range(4):
        client.post(messages, json={"content": f"More {n}"}, headers=alice)
    first = client.get(messages + "?limit=2", headers=alice)
    assert 'rel="next"' in first.headers["Link"]
    following = client.get(first.get_json()["next"], headers=alice).get_json()
    assert [m["content"] for m in following["items"]] == ["More 1", "More 2"]
    again = client.get(
        messages + "?limit=2", headers={**alice, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("role", ["moderator", "admin", "member2"])
def test_a_conversation_i_am_not_in_is_a_404_even_for_staff(
    app: Flask, client: FlaskClient, world: World, role: str
) -> None:
    conversation = start(client, headers(app, world, "member"), recipients=["mallory"])
    item = f"{API}{conversation.get_json()['id']}"
    outsider = headers(app, world, role)
    assert_problem(client.get(item, headers=outsider), 404)
    assert_problem(client.get(f"{item}/messages/", headers=outsider), 404)
    assert_problem(client.post(f"{item}/messages/", json={"content": "Hi"}, headers=outsider), 404)
    assert client.get(API, headers=outsider).get_json()["items"] == []
    assert count(app, Message) == 1


def test_guests_and_read_only_tokens_cannot_write(
    app: Flask, client: FlaskClient, world: World
) -> None:
    assert_problem(client.get(API), 401)
    assert_problem(start(client, {}), 401)
    assert_problem(start(client, headers(app, world, "member", TokenScope.READ)), 403)
    assert count(app, Conversation) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"recipients": ["nobody"]}, "recipients"),
        # No username holds a control character; PostgreSQL refuses a NUL in a query.
        ({"recipients": ["\x00"]}, "recipients"),
        ({"recipients": ["bob\x00"]}, "recipients"),
        ({"recipients": []}, "recipients"),
        ({"content": ""}, "content"),
        ({"content": "Hi\x00"}, "content"),
        ({"subject": "Hi\x07there"}, "subject"),
        ({"recipients": ["bob", "root", "mod_a"]}, "recipients"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_nothing_is_written(
    app: Flask, client: FlaskClient, world: World, body: dict[str, Any], field: str
) -> None:
    app.config["MESSAGES_MAX_PARTICIPANTS"] = 3
    response = start(client, headers(app, world, "member"), **body)
    assert field in field_names(response)
    assert count(app, Conversation) == count(app, Message) == 0


def test_writing_to_a_member_who_blocked_you_is_refused(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        BlockService(db.session, utcnow).block(world.users["member2"], "alice")
    response = start(client, headers(app, world, "member"))
    assert field_names(response) == {"recipients"}
    assert count(app, Conversation) == 0

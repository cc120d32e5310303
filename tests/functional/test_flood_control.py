"""Flood control: one budget of posts per member, whatever form or API endpoint the posts
come through, one budget of previews, both taken before anything is written.

With FORUMAPP_TEST_RATELIMIT_STORAGE_URI the budgets count in Redis.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.forum.errors import Flooded
from forumapp.forum.limits import FLOOD_MESSAGE, PREVIEW_MESSAGE, posts_per_member
from forumapp.forum.models import Post
from forumapp.forum.moderation import ModerationService, TopicAction
from forumapp.forum.posting import PostingService
from forumapp.sqltypes import utcnow
from tests.api_support import ApiClient, assert_problem, issue_token
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import any_csrf_token, login_as, post_form

POSTS, PREVIEWS = 4, 3


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "FORUM_POST_LIMIT": f"{POSTS} per minute",
        "FORUM_PREVIEW_LIMIT": f"{PREVIEWS} per minute",
        "API_RATE_LIMIT": "1000 per minute",
        "API_ADDRESS_RATE_LIMIT": "1000 per minute",
    }


def told(template: object, text: str) -> int:
    """The wait in seconds that ``text`` tells with the refusal ``template`` (a message of
    :mod:`forumapp.forum.limits`; minutes count as 60 seconds); fails when it does not."""
    wait = r"(\d+) (second|minute)s?"
    found = re.search(re.escape(str(template)).replace(re.escape("%(wait)s"), wait), text)
    assert found is not None, f"{template!r} not in {text[:2000]!r}"
    return int(found.group(1)) * (60 if found.group(2) == "minute" else 1)


def posts_of(app: Flask, user_id: int) -> int:
    """How many posts the member has written, as stored."""
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Post.user_id == user_id)) or 0


def own_first_post(world: World, topic: int) -> int:
    """The id of a topic's first post."""
    with world.app.app_context():
        post = db.session.scalar(select(Post.id).where(Post.topic_id == topic, Post.number == 1))
    assert post is not None
    return post


def test_one_post_budget_per_member_across_forms_and_the_api(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2")
    own = world.topic("member")
    before = posts_of(world.app, world.users["member"])
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    login_as(auth, world, "member")

    # One of each kind of write, each through a different page or endpoint.
    new_topic = post_form(
        client, f"/forum/{world.forum_a}/new-topic", title="Mine", content="x", submit="1"
    )
    reply = post_form(client, f"/topic/{topic}/reply", content="web reply", submit="1")
    edit = post_form(
        client,
        f"/post/{own_first_post(world, own)}/edit",
        title="Retitled",
        content="e",
        submit="1",
    )
    api_reply = api.post("/posts/", {"topic_id": topic, "content": "api reply"})
    assert [new_topic.status_code, reply.status_code, edit.status_code] == [302, 302, 302]
    assert api_reply.status_code == 201

    # The budget is spent for every way of posting.
    refused_page = post_form(client, f"/topic/{topic}/reply", content="more", submit="1")
    assert refused_page.status_code == 429
    wait = told(FLOOD_MESSAGE, refused_page.get_data(as_text=True))
    assert 0 < wait == int(refused_page.headers["Retry-After"]) <= 60
    refused_topic = api.post(
        "/topics/", {"forum_id": world.forum_a, "title": "Too many", "content": "x"}
    )
    assert told(FLOOD_MESSAGE, assert_problem(refused_topic, 429)["detail"]) > 0
    assert 0 < int(refused_topic.headers["Retry-After"]) <= 60
    assert_problem(api.patch(f"/posts/{api_reply.get_json()['id']}", {"content": "edited"}), 429)
    assert posts_of(world.app, world.users["member"]) == before + 3  # the edit added none


def test_one_preview_budget_per_member_across_forms(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2")
    own = own_first_post(world, world.topic("member"))
    login_as(auth, world, "member")
    previews = [
        post_form(
            client, f"/forum/{world.forum_a}/new-topic", title="Draft", content="a", preview="1"
        ),
        post_form(client, f"/topic/{topic}/reply", content="b", preview="1"),
        post_form(client, f"/post/{own}/edit", title="Draft", content="c", preview="1"),
    ]
    assert [response.status_code for response in previews] == [200] * PREVIEWS
    refused = post_form(client, f"/topic/{topic}/reply", content="d", preview="1")
    assert refused.status_code == 429
    assert told(PREVIEW_MESSAGE, refused.get_data(as_text=True)) > 0
    # Posting has its own budget, untouched by the previews.
    assert post_form(client, f"/topic/{topic}/reply", content="e", submit="1").status_code == 302


def test_refused_and_invalid_writes_leave_the_post_budget_alone(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    locked = world.topic("member2")
    topic = world.topic("member2")
    with world.app.app_context():
        ModerationService(db.session, utcnow).act_on_topics(
            world.actor("moderator"), world.forum_a, [locked], TopicAction.LOCK
        )
    login_as(auth, world, "member")
    for _ in range(POSTS + 1):
        assert (
            post_form(client, f"/topic/{locked}/reply", content="x", submit="1").status_code == 403
        )
        assert post_form(client, f"/topic/{topic}/reply", content="", submit="1").status_code == 200
    replies = [
        post_form(client, f"/topic/{topic}/reply", content="x", submit="1") for _ in range(POSTS)
    ]
    assert [reply.status_code for reply in replies] == [302] * POSTS


def test_posts_sent_at_the_same_moment_cannot_overrun_the_budget(
    app: Flask, world: World, auth: AuthActions
) -> None:
    # Each request is counted before its write: requests in flight together cannot all
    # see the last post of the budget as free.
    topic = world.topic("member2")
    senders = 8
    clients = [app.test_client() for _ in range(senders)]
    for sender in clients:
        login_as(AuthActions(sender), world, "member")
    tokens = [any_csrf_token(sender) for sender in clients]
    start = threading.Barrier(senders)
    statuses: list[int] = []

    def send(sender: FlaskClient, token: str) -> None:
        start.wait(timeout=10)
        form = {"csrf_token": token, "content": "at once", "submit": "1"}
        statuses.append(sender.post(f"/topic/{topic}/reply", data=form).status_code)

    threads = [
        threading.Thread(target=send, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302] * POSTS + [429] * (senders - POSTS)
    assert posts_of(app, world.users["member"]) == POSTS


def test_a_write_that_fails_gives_its_post_back(app: Flask, world: World) -> None:
    app.config["FORUM_POST_LIMIT"] = "1 per minute"
    topic = world.topic("member2")

    def broken_clock() -> datetime:
        raise RuntimeError("the write fails after its post was counted")

    with app.app_context():
        actor = world.actor("member")
        failing = PostingService(db.session, broken_clock, posts_per_member)
        with pytest.raises(RuntimeError):
            failing.reply(actor, topic, "never saved")
        working = PostingService(db.session, utcnow, posts_per_member)
        assert working.reply(actor, topic, "saved").content == "saved"
        with pytest.raises(Flooded):
            working.reply(actor, topic, "one too many")
    assert posts_of(app, world.users["member"]) == 1


def test_a_topic_change_refused_by_the_budget_changes_nothing(
    client: FlaskClient, world: World
) -> None:
    # Moving and retitling in one request: a spent budget refuses the whole change, not
    # just the retitle after the move was made.
    topic = world.topic("admin", title="Where it was")
    api = ApiClient(client, issue_token(world.app, world.users["admin"]))
    for n in range(POSTS):
        assert api.post("/posts/", {"topic_id": topic, "content": f"#{n}"}).status_code == 201
    change = {"forum_id": world.forum_b, "title": "Moved and renamed"}
    assert_problem(api.patch(f"/topics/{topic}", change), 429)
    stored = api.get(f"/topics/{topic}").get_json()
    assert (stored["forum_id"], stored["title"]) == (world.forum_a, "Where it was")

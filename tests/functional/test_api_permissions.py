"""The API's permission matrix: the same answers as the HTML views' rules
(tests/functional/test_forum_moderation.py), through tokens.

Each role runs every action on its own fresh topic, so one test per role covers the whole
row and reports every difference at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from forumapp.extensions import db
from forumapp.forum.models import Category, Forum
from forumapp.forum.structure import ForumStructure
from tests.api_support import (
    NO_RATE_LIMITS,
    ApiClient,
    api_as,
    assert_problem,
    post_state,
    topic_state,
)
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


@dataclass
class Scene:
    """What one action works on: member2's topic and reply, the actor's own post, and an
    empty category and forum for the structure actions."""

    topic: int
    reply: int
    own_post: int
    category: int
    forum: int
    visible_category: int


Action = Callable[[ApiClient, World, Scene], TestResponse]

ROLES = ("guest", "member", "banned", "moderator", "other_moderator", "admin")
# Statuses in ROLES order. Guests must authenticate (401); a banned member's token is
# refused outright (403); what a role may not see does not exist (404).
OK, CREATED, GONE = 200, 201, 204
MATRIX: dict[str, tuple[Action, tuple[int, ...]]] = {
    "new topic": (
        lambda api, w, s: api.post(
            "/topics/", {"forum_id": w.forum_a, "title": "A title", "content": "x"}
        ),
        (401, CREATED, 403, CREATED, CREATED, CREATED),
    ),
    "reply": (
        lambda api, w, s: api.post("/posts/", {"topic_id": s.topic, "content": "x"}),
        (401, CREATED, 403, CREATED, CREATED, CREATED),
    ),
    "edit another's post": (
        lambda api, w, s: api.patch(f"/posts/{s.reply}", {"content": "changed"}),
        (401, 403, 403, OK, 403, OK),
    ),
    "delete another's post": (
        lambda api, w, s: api.delete(f"/posts/{s.reply}"),
        (401, 403, 403, GONE, 403, GONE),
    ),
    "edit own post": (
        lambda api, w, s: api.patch(f"/posts/{s.own_post}", {"content": "still mine"}),
        (401, OK, 403, OK, OK, OK),
    ),
    "delete own post": (
        lambda api, w, s: api.delete(f"/posts/{s.own_post}"),
        (401, GONE, 403, GONE, GONE, GONE),
    ),
    "retitle another's topic": (
        lambda api, w, s: api.patch(f"/topics/{s.topic}", {"title": "Renamed"}),
        (401, 403, 403, OK, 403, OK),
    ),
    "delete another's topic": (
        lambda api, w, s: api.delete(f"/topics/{s.topic}"),
        (401, 403, 403, GONE, 403, GONE),
    ),
    "lock a topic": (
        lambda api, w, s: api.patch(f"/topics/{s.topic}", {"locked": True}),
        (401, 403, 403, OK, 403, OK),
    ),
    "pin a topic": (
        lambda api, w, s: api.patch(f"/topics/{s.topic}", {"sticky": True}),
        (401, 403, 403, OK, 403, OK),
    ),
    # Moving needs the target forum moderated too: only the admin moderates both
    # (the web form refuses the moderator with a message; the API names the field).
    "move a topic": (
        lambda api, w, s: api.patch(f"/topics/{s.topic}", {"forum_id": w.forum_b}),
        (401, 403, 403, 422, 403, OK),
    ),
    "hide a post": (
        lambda api, w, s: api.patch(f"/posts/{s.reply}", {"hidden": True}),
        (401, 403, 403, OK, 403, OK),
    ),
    "create a category": (
        lambda api, w, s: api.post("/categories/", {"title": "New one"}),
        (401, 403, 403, 403, 403, CREATED),
    ),
    "update a category": (
        lambda api, w, s: api.patch(f"/categories/{s.visible_category}", {"title": "Changed"}),
        (401, 403, 403, 403, 403, OK),
    ),
    # An empty category shows to administrators only; to others it does not exist.
    "delete a category": (
        lambda api, w, s: api.delete(f"/categories/{s.category}"),
        (401, 404, 403, 404, 404, GONE),
    ),
    "create a forum": (
        lambda api, w, s: api.post("/forums/", {"category_id": s.category, "title": "Fresh"}),
        (401, 403, 403, 403, 403, CREATED),
    ),
    "update a forum": (
        lambda api, w, s: api.patch(f"/forums/{s.forum}", {"title": "Changed"}),
        (401, 403, 403, 403, 403, OK),
    ),
    "delete a forum": (
        lambda api, w, s: api.delete(f"/forums/{s.forum}"),
        (401, 403, 403, 403, 403, GONE),
    ),
}


def _scene(world: World, role: str) -> Scene:
    topic = world.topic("member2", title="Bob's topic")
    reply = world.reply(topic, "member2", "Bob's reply")
    own_post = world.reply(topic, "member2" if role == "guest" else role, "mine")
    with world.app.app_context():
        structure = ForumStructure(db.session)
        category = structure.create_category("Empty")
        other = structure.create_category("Holder")
        forum = structure.create_forum(other.id, "Empty forum").id
    return Scene(topic, reply, own_post, category.id, forum, other.id)


def _unchanged(world: World, scene: Scene) -> bool:
    topic, reply = topic_state(world.app, scene.topic), post_state(world.app, scene.reply)
    return (
        (topic.title, topic.locked, topic.sticky, topic.deleted, topic.forum_id)
        == ("Bob's topic", False, False, False, world.forum_a)
        and (reply.content, reply.hidden, reply.deleted) == ("Bob's reply", False, False)
        and not post_state(world.app, scene.own_post).deleted
        and _structure(world, scene) == ("Empty", "Holder", "Empty forum", 0)
    )


def _structure(world: World, scene: Scene) -> tuple[object, ...]:
    with world.app.app_context():
        empty = db.session.get(Category, scene.category)
        holder = db.session.get(Category, scene.visible_category)
        forum = db.session.get(Forum, scene.forum)
        created = db.session.scalar(
            select(func.count(Category.id)).where(Category.title.in_(["New one", "Changed"]))
        ) or db.session.scalar(select(func.count(Forum.id)).where(Forum.title == "Fresh"))
        return (
            empty.title if empty else None,
            holder.title if holder else None,
            forum.title if forum else None,
            created,
        )


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client: FlaskClient, world: World, role: str) -> None:
    scenes = {name: _scene(world, role) for name in MATRIX}
    api = api_as(world, client, role)
    outcomes, expected = {}, {}
    for name, (action, statuses) in MATRIX.items():
        response = action(api, world, scenes[name])
        outcomes[name] = response.status_code
        expected[name] = statuses[ROLES.index(role)]
        if response.status_code >= 400:
            assert_problem(response, response.status_code)
            assert _unchanged(world, scenes[name]), f"{role} / {name} changed something"
        if response.status_code == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert outcomes == expected


def test_moderator_changes_land_in_the_database(client: FlaskClient, world: World) -> None:
    scene = _scene(world, "moderator")
    moderator = api_as(world, client, "moderator")
    assert moderator.patch(f"/topics/{scene.topic}", {"locked": True, "sticky": True}).status_code
    assert moderator.patch(f"/posts/{scene.reply}", {"hidden": True}).status_code == OK
    topic = topic_state(world.app, scene.topic)
    assert (topic.locked, topic.sticky) == (True, True)
    assert post_state(world.app, scene.reply).hidden
    admin = api_as(world, client, "admin")
    moved = admin.patch(f"/topics/{scene.topic}", {"forum_id": world.forum_b})
    assert moved.get_json()["forum_id"] == world.forum_b
    assert topic_state(world.app, scene.topic).forum_id == world.forum_b


def test_a_refused_move_leaves_the_other_requested_changes_undone(
    client: FlaskClient, world: World
) -> None:
    scene = _scene(world, "moderator")
    moderator = api_as(world, client, "moderator")
    response = moderator.patch(
        f"/topics/{scene.topic}", {"locked": True, "sticky": True, "forum_id": world.forum_b}
    )
    assert "forum_id" in {e["name"] for e in assert_problem(response, 422)["errors"]}
    assert _unchanged(world, scene)


def test_a_refused_hide_leaves_the_requested_edit_undone(client: FlaskClient, world: World) -> None:
    scene = _scene(world, "member")
    member = api_as(world, client, "member")
    response = member.patch(f"/posts/{scene.own_post}", {"content": "new", "hidden": True})
    assert_problem(response, 403)
    assert post_state(world.app, scene.own_post).content == "mine"


READERS = {
    # role: (sees the hidden forum, sees a deleted topic of forum A, sees hidden text)
    "guest": (False, False, False),
    "member": (False, False, False),
    "moderator": (False, True, True),
    "other_moderator": (False, False, False),
    "admin": (True, True, True),
}


@pytest.mark.parametrize("role", list(READERS))
def test_what_each_role_may_read(client: FlaskClient, world: World, role: str) -> None:
    hidden_forum_topic = world.topic("admin", forum=world.hidden_forum)
    deleted = world.topic("member2", title="Deleted one")
    hidden_topic = world.topic("member2", title="With a hidden reply")
    hidden_reply = world.reply(hidden_topic, "member2", "rude words")
    admin = api_as(world, client, "admin")
    assert admin.delete(f"/topics/{deleted}").status_code == GONE
    assert admin.patch(f"/posts/{hidden_reply}", {"hidden": True}).status_code == OK
    sees_hidden_forum, sees_deleted, sees_hidden_text = READERS[role]
    api = api_as(world, client, role)

    listed = {t["id"] for t in api.get("/topics/").get_json()["items"]}
    assert (hidden_forum_topic in listed) is sees_hidden_forum
    assert (api.get(f"/topics/{hidden_forum_topic}").status_code == OK) is sees_hidden_forum
    assert (api.get(f"/forums/{world.hidden_forum}").status_code == OK) is sees_hidden_forum
    in_forum = api.get("/topics/", query_string={"forum_id": world.hidden_forum})
    assert bool(in_forum.get_json()["items"]) is sees_hidden_forum
    forums = {f["id"] for f in api.get("/forums/").get_json()["items"]}
    assert (world.hidden_forum in forums) is sees_hidden_forum

    assert (deleted in listed) is sees_deleted
    single = api.get(f"/topics/{deleted}")
    if sees_deleted:
        assert single.get_json()["deleted"] is True
    else:
        assert_problem(single, 404)

    post = api.get(f"/posts/{hidden_reply}").get_json()
    assert post["hidden"] is True
    assert (post["content"] == "rude words") is sees_hidden_text
    assert (post["html"] is not None) is sees_hidden_text
    if not sees_hidden_text:
        assert post["content"] is None
        listed_posts = api.get("/posts/", query_string={"topic_id": hidden_topic}).get_json()
        assert "rude words" not in str(listed_posts)


def test_a_banned_members_token_is_refused_even_for_reading(
    client: FlaskClient, world: World
) -> None:
    api = api_as(world, client, "banned")
    for path in ("/topics/", "/me", f"/forums/{world.forum_a}"):
        assert_problem(api.get(path), 403, "account-disabled")


def test_a_banned_members_session_reads_but_cannot_write(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "banned")
    from tests.conftest import csrf_token

    token = csrf_token(client, "/settings/")
    session = ApiClient(client)
    assert session.get(f"/topics/{topic}").status_code == OK
    response = session.post(
        "/posts/", {"topic_id": topic, "content": "let me in"}, headers={"X-CSRFToken": token}
    )
    assert_problem(response, 403)
    assert topic_state(world.app, topic).post_count == 1

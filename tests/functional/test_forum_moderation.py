"""Moderation and the permission matrix, over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import Forum, Post, Report, Topic
from forumapp.users.models import User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form


def topic_state(app: Flask, topic_id: int) -> Topic:
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        assert topic is not None
        db.session.expunge(topic)
        return topic


def forum_state(app: Flask, forum_id: int) -> Forum:
    with app.app_context():
        forum = db.session.get(Forum, forum_id)
        assert forum is not None
        db.session.expunge(forum)
        return forum


def test_moderator_locks_and_members_can_no_longer_reply(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "moderator")
    response = post_form(
        client, f"/forum/{world.forum_a}/moderate", action="lock", topic_ids=str(topic)
    )
    assert response.status_code == 302
    assert topic_state(world.app, topic).locked
    # Moderators may still reply in a locked topic.
    assert (
        post_form(client, f"/topic/{topic}/reply", content="Locked now.", submit="1").status_code
        == 302
    )
    auth.logout()
    login_as(auth, world, "member")
    assert client.get(f"/topic/{topic}/reply").status_code == 403
    assert (
        post_form(client, f"/topic/{topic}/reply", content="Let me in", submit="1").status_code
        == 403
    )
    assert "This topic is locked." in client.get(f"/topic/{topic}").get_data(as_text=True)


def test_bulk_actions_apply_to_every_selected_topic(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topics = [world.topic(title=f"Topic {n}") for n in range(3)]
    login_as(auth, world, "moderator")
    data = {"action": "pin", "topic_ids": [str(t) for t in topics[:2]]}
    assert post_form(client, f"/forum/{world.forum_a}/moderate", **data).status_code == 302
    assert [topic_state(world.app, t).sticky for t in topics] == [True, True, False]


def test_a_moderator_cannot_act_on_another_forums_topics(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    foreign = world.topic(forum=world.forum_b)
    own = world.topic(forum=world.forum_a)
    login_as(auth, world, "moderator")
    # Ids of forum B's topics sent to forum A's endpoint: refused as a whole.
    response = post_form(
        client,
        f"/forum/{world.forum_a}/moderate",
        action="lock",
        topic_ids=[str(own), str(foreign)],
    )
    assert response.status_code == 404
    assert not topic_state(world.app, own).locked
    # Forum B's own endpoint: not a forum this moderator moderates.
    response = post_form(
        client, f"/forum/{world.forum_b}/moderate", action="lock", topic_ids=str(foreign)
    )
    assert response.status_code == 403
    assert not topic_state(world.app, foreign).locked


def test_moving_a_topic_keeps_both_forums_counters_right(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    world.reply(topic)
    login_as(auth, world, "admin")
    response = post_form(
        client,
        f"/forum/{world.forum_a}/moderate",
        action="move",
        topic_ids=str(topic),
        target_forum_id=str(world.forum_b),
    )
    assert response.status_code == 302
    source, target = forum_state(world.app, world.forum_a), forum_state(world.app, world.forum_b)
    assert (source.topic_count, source.post_count, source.last_post_id) == (0, 0, None)
    assert (target.topic_count, target.post_count, target.last_topic_id) == (1, 2, topic)


def test_deleting_and_restoring_a_topic_recounts(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    world.reply(topic, "member2")
    login_as(auth, world, "moderator")
    delete = {"action": "delete", "topic_ids": str(topic), "confirm": "y"}
    post_form(client, f"/forum/{world.forum_a}/moderate", **delete)
    assert forum_state(world.app, world.forum_a).topic_count == 0
    assert post_counts(world) == {"member": 0, "member2": 0}
    # Deleting what is already deleted changes nothing.
    post_form(client, f"/forum/{world.forum_a}/moderate", **delete)
    assert post_counts(world) == {"member": 0, "member2": 0}
    assert client.get(f"/topic/{topic}").status_code == 200  # moderators still see it
    auth.logout()
    assert client.get(f"/topic/{topic}").status_code == 404
    login_as(auth, world, "moderator")
    post_form(client, f"/forum/{world.forum_a}/moderate", action="restore", topic_ids=str(topic))
    forum = forum_state(world.app, world.forum_a)
    assert (forum.topic_count, forum.post_count) == (1, 2)
    assert post_counts(world) == {"member": 1, "member2": 1}


def post_counts(world: World) -> dict[str, int]:
    with world.app.app_context():
        return {
            role: db.session.get(User, world.users[role]).post_count  # type: ignore[union-attr]
            for role in ("member", "member2")
        }


def test_hidden_posts_show_only_to_moderators(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2", "rude words")
    login_as(auth, world, "moderator")
    assert post_form(client, f"/post/{reply}/moderate", action="hide").status_code == 302
    assert "rude words" in client.get(f"/topic/{topic}").get_data(as_text=True)
    auth.logout()
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert "rude words" not in page
    assert "hidden by a moderator" in page


def test_reports_reach_the_moderators_of_that_forum(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2", "spam spam")
    login_as(auth, world, "member")
    assert post_form(client, f"/post/{reply}/report", reason="This is spam").status_code == 302
    auth.logout()
    login_as(auth, world, "other_moderator")
    assert "This is spam" not in client.get("/admin/reports").get_data(as_text=True)
    auth.logout()
    login_as(auth, world, "moderator")
    queue = client.get("/admin/reports").get_data(as_text=True)
    assert "This is spam" in queue
    with world.app.app_context():
        report_id = db.session.scalar(select(Report.id))
    assert (
        post_form(client, "/admin/reports", report_id=str(report_id), note="Deleted it").status_code
        == 302
    )
    assert "This is spam" not in client.get("/admin/reports").get_data(as_text=True)


def test_members_cannot_see_the_report_queue(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "member")
    assert client.get("/admin/reports").status_code == 403


# --- permission matrix ---------------------------------------------------------------------

Action = Callable[[FlaskClient, World, int, int], int]


def _new_topic(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(
        client, f"/forum/{world.forum_a}/new-topic", title="A title", content="x", submit="1"
    ).status_code


def _reply(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(client, f"/topic/{topic}/reply", content="x", submit="1").status_code


def _edit_others(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(client, f"/post/{post}/edit", content="changed", submit="1").status_code


def _delete_others(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(client, f"/post/{post}/delete").status_code


def _edit_own(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(
        client, f"/post/{world.own_post}/edit", content="still mine", submit="1"
    ).status_code


def _delete_own(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(client, f"/post/{world.own_post}/delete").status_code


def _pin(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(
        client, f"/forum/{world.forum_a}/moderate", action="pin", topic_ids=str(topic)
    ).status_code


def _move(client: FlaskClient, world: World, topic: int, post: int) -> int:
    data = {"action": "move", "topic_ids": str(topic), "target_forum_id": str(world.forum_b)}
    return post_form(client, f"/forum/{world.forum_a}/moderate", **data).status_code


def _lock(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(
        client, f"/forum/{world.forum_a}/moderate", action="lock", topic_ids=str(topic)
    ).status_code


def _hide(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(client, f"/post/{post}/moderate", action="hide").status_code


def _report(client: FlaskClient, world: World, topic: int, post: int) -> int:
    return post_form(client, f"/post/{post}/report", reason="bad").status_code


ALLOWED, REFUSED, LOGIN = 302, 403, "login"
# guest, member, banned, moderator of this forum, moderator of another forum, admin
MATRIX: dict[str, tuple[Action, tuple[object, ...]]] = {
    "new topic": (_new_topic, (LOGIN, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED)),
    "reply": (_reply, (LOGIN, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED)),
    "edit another's post": (_edit_others, (LOGIN, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    "delete another's post": (_delete_others, (LOGIN, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    "edit own post": (_edit_own, (LOGIN, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED)),
    "delete own post": (_delete_own, (LOGIN, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED)),
    "lock a topic": (_lock, (LOGIN, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    "pin a topic": (_pin, (LOGIN, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    # Moving needs the target forum moderated too: only the admin moderates both.
    "move a topic": (_move, (LOGIN, REFUSED, REFUSED, "flash", REFUSED, ALLOWED)),
    "hide a post": (_hide, (LOGIN, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED)),
    "report a post": (_report, (LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)),
}
ROLE_ORDER = ("guest", "member", "banned", "moderator", "other_moderator", "admin")


@pytest.mark.parametrize("role", ROLE_ORDER)
@pytest.mark.parametrize("action_name", list(MATRIX))
def test_permission_matrix(
    client: FlaskClient, world: World, auth: AuthActions, role: str, action_name: str
) -> None:
    topic = world.topic("member2", title="Bob's topic")
    reply = world.reply(topic, "member2", "Bob's reply")
    # The actor's own post, written before logging in (for the banned: before the ban).
    world.own_post = world.reply(topic, "member2" if role == "guest" else role, "mine")
    if role != "guest":
        login_as(auth, world, role)
    action, expectations = MATRIX[action_name]
    expected = expectations[ROLE_ORDER.index(role)]
    status = action(client, world, topic, reply)
    if expected == LOGIN:
        assert status in (302, 400)  # redirected to the login page (or refused a stale form)
        with world.app.app_context():
            assert db.session.scalar(select(Post.content).where(Post.id == reply)) == "Bob's reply"
            assert not db.session.get(Topic, topic).locked  # type: ignore[union-attr]
    elif expected == "flash":
        assert status == 302  # refused with a message on the forum page
        with world.app.app_context():
            assert db.session.get(Topic, topic).forum_id == world.forum_a  # type: ignore[union-attr]
    else:
        assert status == expected, f"{role} / {action_name}"

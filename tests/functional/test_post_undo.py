"""The Undo after deleting a single post, over HTTP: it restores once, only for whoever
deleted the post, only while they still could delete it, and never with a forged token."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.forum.models import Post, Topic
from forumapp.users.groups import GroupKey
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import any_csrf_token, login_as, post_form
from tests.functional.test_moderation_tools import set_group_flags, text_of


def delete(client: FlaskClient, post_id: int) -> str:
    """Delete ``post_id`` through its confirmation form; the page shown afterwards."""
    response = post_form(client, f"/post/{post_id}/delete")
    assert response.status_code == 302
    return text_of(client.get(response.headers["Location"], follow_redirects=True))


def undo_token(page: str) -> str:
    """The token of the page's Undo form (which must be there, with a CSRF token)."""
    form = page[page.index('class="flash flash-info undo-form"') :]
    form = form[: form.index("</form>")]
    assert 'name="csrf_token"' in form
    match = re.search(r'name="token" value="([^"]+)"', form)
    assert match, form
    return match.group(1)


def undo(client: FlaskClient, post_id: int, token: str) -> Any:
    return client.post(
        f"/post/{post_id}/undo-delete",
        data={"csrf_token": any_csrf_token(client), "token": token},
    )


def post_state(app: Flask, post_id: int) -> tuple[bool, str | None]:
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post is not None
        return post.deleted, post.deleted_by


def deleted_with_undo(
    client: FlaskClient, world: World, auth: AuthActions, role: str, author: str = "member"
) -> tuple[int, str]:
    """A reply by ``author`` that ``role`` deleted through ``client``: its id, and the
    token of the Undo offered."""
    reply = world.reply(world.topic(), author)
    login_as(auth, world, role)
    return reply, undo_token(delete(client, reply))


def second_client(app: Flask, world: World, role: str) -> FlaskClient:
    """Another browser, logged in as ``role``."""
    other = app.test_client()
    login_as(AuthActions(other), world, role)
    return other


def test_undo_restores_the_deleted_post_and_its_counts(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member", "Oops, wrong thread")
    login_as(auth, world, "member")
    page = delete(client, reply)
    assert "The post is deleted." in page
    token = undo_token(page)
    assert post_state(world.app, reply) == (True, "alice")
    # The offer shows once.
    assert "undo-form" not in text_of(client.get(f"/topic/{topic}"))

    response = undo(client, reply, token)
    assert response.status_code == 302
    assert "The post is restored." in text_of(
        client.get(response.headers["Location"], follow_redirects=True)
    )
    assert post_state(world.app, reply) == (False, None)
    with world.app.app_context():
        row = db.session.get(Topic, topic)
        assert row is not None and row.reply_count == 1
    assert "Oops, wrong thread" in text_of(client.get(f"/topic/{topic}"))


def test_an_undo_works_once(client: FlaskClient, world: World, auth: AuthActions) -> None:
    reply, token = deleted_with_undo(client, world, auth, "member")
    assert undo(client, reply, token).status_code == 302
    # Deleted again: the first deletion's Undo does not bring it back.
    second = delete(client, reply)
    response = undo(client, reply, token)
    assert response.status_code == 302
    assert "This post is not deleted any more." in text_of(
        client.get(response.headers["Location"], follow_redirects=True)
    )
    assert post_state(world.app, reply) == (True, "alice")
    assert undo(client, reply, undo_token(second)).status_code == 302
    assert post_state(world.app, reply) == (False, None)


def test_another_moderators_undo_token_is_refused(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    reply, token = deleted_with_undo(client, world, auth, "moderator", author="member2")
    admin = second_client(world.app, world, "admin")
    response = undo(admin, reply, token)
    assert response.status_code == 403
    assert post_state(world.app, reply) == (True, "mod_a")


def test_a_forged_or_misdirected_undo_token_is_refused(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply, other = world.reply(topic, "member"), world.reply(topic, "member")
    login_as(auth, world, "member")
    token = undo_token(delete(client, reply))
    delete(client, other)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert undo(client, reply, forged).status_code == 403
    assert undo(client, other, token).status_code == 403  # another post's token
    assert undo(client, reply, "").status_code == 400
    assert post_state(world.app, reply) == (True, "alice")
    assert post_state(world.app, other) == (True, "alice")


def test_a_member_without_rights_is_refused_the_undo(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    reply, token = deleted_with_undo(client, world, auth, "member")
    # Someone else holding the token.
    bob = second_client(world.app, world, "member2")
    assert undo(bob, reply, token).status_code == 403
    # The deleter, once their group may no longer delete posts.
    set_group_flags(world.app, GroupKey.MEMBER, deletepost=False)
    assert undo(client, reply, token).status_code == 403
    assert post_state(world.app, reply) == (True, "alice")


def test_the_undo_needs_a_csrf_token(client: FlaskClient, world: World, auth: AuthActions) -> None:
    reply, token = deleted_with_undo(client, world, auth, "member")
    response = client.post(f"/post/{reply}/undo-delete", data={"token": token})
    assert response.status_code == 400
    assert post_state(world.app, reply) == (True, "alice")

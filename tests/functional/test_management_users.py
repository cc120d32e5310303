"""Editing, deleting and emailing members from the panel."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from forumapp.extensions import db
from forumapp.forum.models import Forum, Post, Topic
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form


def group_id(world: World, key: GroupKey) -> int:
    with world.app.app_context():
        value = db.session.scalar(select(Group.id).where(Group.key == key))
    assert value is not None
    return value


def test_only_admins_edit_accounts(client: FlaskClient, world: World, auth: AuthActions) -> None:
    target = world.users["member"]
    with world.app.app_context():
        # Moderators edit accounts with the mod_edituser flag (test_moderation_flags.py).
        db.session.execute(
            update(Group).where(Group.key == GroupKey.MOD).values(mod_edituser=False)
        )
        db.session.commit()
    login_as(auth, world, "moderator")
    assert client.get(f"/admin/users/{target}/edit").status_code == 403
    assert post_form(client, f"/admin/users/{target}/delete", posts="keep").status_code == 403
    assert post_form(client, f"/admin/users/{target}/send-reset").status_code == 403


def test_an_admin_edits_name_email_group_and_activation(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    target = world.users["member"]
    login_as(auth, world, "admin")
    response = post_form(
        client,
        f"/admin/users/{target}/edit",
        username="alice2",
        email="Alice2@Example.org",
        group_id=str(group_id(world, GroupKey.MOD)),
        activated="",
    )
    assert response.status_code == 302
    with world.app.app_context():
        user = db.session.get(User, target)
        assert user is not None
        assert (user.username, user.email, user.group.key, user.activated) == (
            "alice2",
            "Alice2@example.org",
            GroupKey.MOD,
            False,
        )
    assert "user.update" in client.get("/admin/audit").get_data(as_text=True)


def test_taken_names_and_own_group_changes_are_field_errors(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    page = post_form(
        client,
        f"/admin/users/{world.users['member']}/edit",
        username="BOB",
        email="alice@example.org",
        group_id=str(group_id(world, GroupKey.MEMBER)),
        activated="y",
    ).get_data(as_text=True)
    assert "Another account already uses this username or email." in page
    page = post_form(
        client,
        f"/admin/users/{world.users['admin']}/edit",
        username="root",
        email="root@example.org",
        group_id=str(group_id(world, GroupKey.MEMBER)),
        activated="y",
    ).get_data(as_text=True)
    assert "You cannot change your own group." in page


def test_admins_send_reset_and_activation_links_but_never_set_passwords(
    client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    login_as(auth, world, "admin")
    assert post_form(client, f"/admin/users/{world.users['member']}/send-reset").status_code == 302
    assert outbox[-1].to == ["alice@example.org"]
    assert "/auth/reset-password/" in outbox[-1].body
    assert "password" not in EditUserFields
    assert "user.email_reset" in client.get("/admin/audit").get_data(as_text=True)


EditUserFields = {"username", "email", "group_id", "activated"}


def test_deleting_a_member_can_keep_their_posts(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2", title="Bob's topic")
    world.reply(topic, "member", "Alice was here")
    login_as(auth, world, "admin")
    assert (
        post_form(client, f"/admin/users/{world.users['member']}/delete", posts="keep").status_code
        == 302
    )
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert "Alice was here" in page
    assert "deleted user" in page
    with world.app.app_context():
        assert db.session.get(User, world.users["member"]) is None
        assert db.session.get(Forum, world.forum_a).post_count == 2  # type: ignore[union-attr]


def test_deleting_a_member_can_remove_their_posts(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    bobs = world.topic("member2", title="Bob's topic")
    world.reply(bobs, "member", "Alice reply")
    alices = world.topic("member", title="Alice's topic")
    world.reply(alices, "member2", "Bob reply")
    login_as(auth, world, "admin")
    assert (
        post_form(
            client, f"/admin/users/{world.users['member']}/delete", posts="remove"
        ).status_code
        == 302
    )
    with world.app.app_context():
        assert db.session.get(Topic, alices).deleted  # type: ignore[union-attr]
        assert db.session.scalar(select(Post.deleted).where(Post.content == "Alice reply"))
        forum = db.session.get(Forum, world.forum_a)
        bob = db.session.get(User, world.users["member2"])
        assert forum is not None and bob is not None
        assert (forum.topic_count, forum.post_count) == (1, 1)
        assert bob.post_count == 1  # his reply in Alice's deleted topic no longer counts
    auth.logout()
    page = client.get(f"/topic/{bobs}").get_data(as_text=True)
    assert "Alice reply" not in page
    # Members never see deleted posts, not even a placeholder: only Bob's first post shows.
    assert page.count('class="card post') == 1

"""Bans and group changes compose: a ban remembers the group to return to, a later group
change updates or ends it, and the audit log says what happened."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.management.audit.log import AuditLog
from forumapp.management.audit.models import AuditEntry
from forumapp.management.users.services import UserAdministration
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form

#: Long after every ban the tests set.
LATER = datetime(3000, 1, 1, tzinfo=UTC)


def group_id(app: Flask, key: GroupKey) -> int:
    with app.app_context():
        found = db.session.scalar(select(Group.id).where(Group.key == key))
        assert found is not None
        return found


def member(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def lift_bans_at(app: Flask, moment: datetime) -> int:
    """Run the checker that lifts ended bans as if it were ``moment``."""
    with app.app_context():
        clock = lambda: moment  # noqa: E731
        administration = UserAdministration(db.session, AuditLog(db.session, clock), clock)
        return administration.lift_expired_bans()


def audit_details(app: Flask, action: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry.details)
                .where(AuditEntry.action == action)
                .order_by(AuditEntry.id)
            )
        )


def edit_group(client: FlaskClient, app: Flask, user_id: int, group: int) -> None:
    user = member(app, user_id)
    response = post_form(
        client,
        f"/admin/users/{user_id}/edit",
        username=user.username,
        email=user.email,
        group_id=str(group),
        activated="y",
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def ban(client: FlaskClient, user_id: int, **form: str) -> None:
    """Ban ``user_id`` through the admin form (``until``, ``reason``)."""
    assert post_form(client, f"/admin/users/{user_id}/ban", **form).status_code == 302


def test_a_timed_ban_returns_a_moderator_to_the_moderator_group(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    moderator = world.users["moderator"]
    ban(client, moderator, until="2999-01-01")
    assert member(app, moderator).group_id == group_id(app, GroupKey.BANNED)
    assert lift_bans_at(app, LATER) == 1
    lifted = member(app, moderator)
    assert lifted.group_id == group_id(app, GroupKey.MOD)
    assert (lifted.banned_until, lifted.ban_restore_group_id) == (None, None)
    assert audit_details(app, "user.ban") == ["until 2999-01-01, then back to Moderator"]
    assert audit_details(app, "user.ban_expired") == ["back to Moderator"]


def test_a_group_change_ends_a_timed_ban_so_it_never_demotes_later(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    alice = world.users["member"]
    ban(client, alice, until="2999-01-01")
    edit_group(client, app, alice, group_id(app, GroupKey.MOD))
    assert member(app, alice).banned_until is None
    assert lift_bans_at(app, LATER) == 0
    assert member(app, alice).group_id == group_id(app, GroupKey.MOD)
    (update,) = audit_details(app, "user.update")
    assert update == "group: Banned → Moderator, ban (until 2999-01-01) ended by the group change"


def test_unbanning_returns_the_member_to_the_group_they_were_banned_from(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    moderator = world.users["moderator"]
    ban(client, moderator, reason="cool down")
    edit_page = client.get(f"/admin/users/{moderator}/edit").get_data(as_text=True)
    assert "Banned for good; returns to the group Moderator" in edit_page
    unban_page = client.get(f"/admin/users/{moderator}/unban").get_data(as_text=True)
    assert "will be back in the group Moderator" in unban_page
    assert post_form(client, f"/admin/users/{moderator}/unban").status_code == 302
    assert member(app, moderator).group_id == group_id(app, GroupKey.MOD)
    assert audit_details(app, "user.unban") == ["back to Moderator"]


def test_banning_again_changes_the_end_but_keeps_the_group_to_return_to(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    moderator = world.users["moderator"]
    ban(client, moderator, until="2998-01-01")
    ban(client, moderator, until="2999-01-01")
    assert lift_bans_at(app, LATER) == 1
    assert member(app, moderator).group_id == group_id(app, GroupKey.MOD)


def test_a_group_edit_into_a_banned_group_remembers_the_group_to_return_to(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    moderator = world.users["moderator"]
    edit_group(client, app, moderator, group_id(app, GroupKey.BANNED))
    assert member(app, moderator).ban_restore_group_id == group_id(app, GroupKey.MOD)
    assert post_form(client, f"/admin/users/{moderator}/unban").status_code == 302
    assert member(app, moderator).group_id == group_id(app, GroupKey.MOD)
    (update,) = audit_details(app, "user.update")
    assert update.endswith("banned by the group change, then back to Moderator when unbanned")


def test_a_ban_whose_group_to_return_to_was_deleted_returns_to_the_members_new_group(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    with app.app_context():
        testers, veterans = Group(key=None, name="Testers"), Group(key=None, name="Veterans")
        db.session.add_all([testers, veterans])
        db.session.commit()
        testers_id, veterans_id = testers.id, veterans.id
    bob = world.users["member2"]
    edit_group(client, app, bob, testers_id)
    ban(client, bob, until="2999-01-01")
    deleted = post_form(client, f"/admin/groups/{testers_id}/delete", target_id=str(veterans_id))
    assert deleted.status_code == 302, deleted.get_data(as_text=True)
    assert lift_bans_at(app, LATER) == 1
    assert member(app, bob).group_id == veterans_id


def test_a_lifted_ban_is_not_lifted_again(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    alice = world.users["member"]
    ban(client, alice, until="2999-01-01")
    assert [lift_bans_at(app, LATER), lift_bans_at(app, LATER)] == [1, 0]
    assert len(audit_details(app, "user.ban_expired")) == 1

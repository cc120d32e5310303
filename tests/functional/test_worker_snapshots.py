"""What each worker keeps for guests and the index (forumapp.caching) follows changes:
at once in the worker that made them, in the others within SETTINGS_CHECK_SECONDS."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from forumapp.caching import STORE_KEY, SnapshotStore
from forumapp.extensions import db
from forumapp.forum.actor import current_actor
from forumapp.forum.models import forum_groups
from forumapp.forum.permissions import Actor
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.conftest import AuthActions, MakeUser
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_management_forums import group_id, settings_of


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def frozen_clock(app: Flask) -> Clock:
    """Make the app's snapshots age only when the test says so."""
    clock = Clock()
    app.extensions[STORE_KEY] = SnapshotStore(clock)
    return clock


def guest_sees_forum_a(guest: FlaskClient, world: World) -> bool:
    listed = "Forum A" in guest.get("/").get_data(as_text=True)
    opens = guest.get(f"/forum/{world.forum_a}").status_code == 200
    assert listed == opens
    return listed


def written_by_another_worker(app: Flask, statement: object) -> None:
    """Run a write on a connection of its own, as another process would: this app's
    session never hears of it."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(statement)  # type: ignore[call-overload]


def test_hiding_a_forum_from_guests_in_the_panel_shows_at_once(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    frozen_clock(app)  # nothing expires by itself: the panel's write must do it
    guest = app.test_client()
    assert guest_sees_forum_a(guest, world)
    login_as(auth, world, "admin")
    staff = [str(group_id(app, GroupKey.ADMIN)), str(group_id(app, GroupKey.MOD))]
    edit = f"/admin/forums/{world.forum_a}/edit"
    assert (
        post_form(client, edit, **settings_of(app, world.forum_a, groups=staff)).status_code == 302
    )
    assert not guest_sees_forum_a(guest, world)
    everyone = [str(group) for group in all_group_ids(app)]
    assert (
        post_form(client, edit, **settings_of(app, world.forum_a, groups=everyone)).status_code
        == 302
    )
    assert guest_sees_forum_a(guest, world)


def all_group_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Group.id)))


def test_another_workers_visibility_change_shows_within_the_check_interval(
    app: Flask, client: FlaskClient, world: World
) -> None:
    clock = frozen_clock(app)
    interval = app.config["SETTINGS_CHECK_SECONDS"]
    assert guest_sees_forum_a(client, world)
    guest_group = group_id(app, GroupKey.GUEST)
    written_by_another_worker(
        app,
        delete(forum_groups).where(
            forum_groups.c.forum_id == world.forum_a, forum_groups.c.group_id == guest_group
        ),
    )
    clock.now += interval - 1
    assert guest_sees_forum_a(client, world)  # this worker's copy is not stale yet
    clock.now += 1
    assert not guest_sees_forum_a(client, world)


def guest_actor(app: Flask) -> Actor:
    with app.test_request_context("/"):
        return current_actor()


def test_another_workers_guest_flag_change_shows_within_the_check_interval(
    app: Flask, world: World
) -> None:
    clock = frozen_clock(app)
    assert not guest_actor(app).flags.viewhidden
    written_by_another_worker(
        app, update(Group).where(Group.key == GroupKey.GUEST).values(viewhidden=True)
    )
    assert not guest_actor(app).flags.viewhidden
    clock.now += app.config["SETTINGS_CHECK_SECONDS"]
    assert guest_actor(app).flags.viewhidden


def test_a_new_member_shows_on_the_index_at_once_in_the_worker_that_added_them(
    app: Flask, client: FlaskClient, world: World, make_user: MakeUser
) -> None:
    frozen_clock(app)
    assert "newcomer" not in client.get("/").get_data(as_text=True)
    make_user("newcomer")
    assert "newcomer" in client.get("/").get_data(as_text=True)


def test_another_workers_new_member_shows_within_the_check_interval(
    app: Flask, client: FlaskClient, world: World, make_user: MakeUser
) -> None:
    user = make_user("latecomer", activated=False)
    clock = frozen_clock(app)
    client.get("/")  # who's online counts this guest from its first page on
    before = client.get("/").get_data(as_text=True)
    assert "latecomer" not in before
    written_by_another_worker(app, update(User).where(User.id == user.id).values(activated=True))
    assert client.get("/").get_data(as_text=True) == before
    clock.now += app.config["SETTINGS_CHECK_SECONDS"]
    assert "latecomer" in client.get("/").get_data(as_text=True)


def test_with_no_interval_every_request_reads_afresh(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["SETTINGS_CHECK_SECONDS"] = 0
    assert guest_sees_forum_a(client, world)
    written_by_another_worker(
        app,
        delete(forum_groups).where(
            forum_groups.c.forum_id == world.forum_a,
            forum_groups.c.group_id == group_id(app, GroupKey.GUEST),
        ),
    )
    assert not guest_sees_forum_a(client, world)

"""Who is asking: the :class:`Actor` of the current request (built once per request) and
its unread-tracking :class:`~forumapp.forum.reading.Reader`.

These are the only forum functions that read ``current_user``; views hand what they
return to the services as arguments.

Members' actors are read per request. Every guest has the same one, so each worker keeps
it as a :class:`~forumapp.caching.Snapshot`: a change of the Guest group's flags or of
which forums it sees shows at once in the worker that made it, and in the others within
``SETTINGS_CHECK_SECONDS``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g
from flask_login import current_user
from sqlalchemy import literal, select, union_all

from forumapp.caching import Snapshot
from forumapp.extensions import db
from forumapp.forum.models import forum_groups, forum_moderators
from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.forum.reading import Reader
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group

_FLAG_NAMES = tuple(GroupFlags.__dataclass_fields__)
#: What guests may do and see; read from the Guest group and its forums.
GUEST_ACTOR: Snapshot[Actor] = Snapshot(
    "guest actor", frozenset({Group.__tablename__, forum_groups.name})
)


def flags_of(group: Group) -> GroupFlags:
    """The permission flags of a group row."""
    return GroupFlags(**{name: bool(getattr(group, name)) for name in _FLAG_NAMES})


def load_actor(user_id: int | None, username: str, group: Group) -> Actor:
    """An actor with the forums its group sees and the forums it moderates (one query)."""
    visible = select(forum_groups.c.forum_id, literal("v").label("kind")).where(
        forum_groups.c.group_id == group.id
    )
    queries = [visible]
    # A banned member keeps their appointments on record but moderates nothing.
    if user_id is not None and not group.banned:
        queries.append(
            select(forum_moderators.c.forum_id, literal("m").label("kind")).where(
                forum_moderators.c.user_id == user_id
            )
        )
    rows = db.session.execute(union_all(*queries)).all()
    return Actor(
        user_id=user_id,
        username=username,
        group_id=group.id,
        flags=flags_of(group),
        visible_forums=frozenset(forum_id for forum_id, kind in rows if kind == "v"),
        moderated_forums=frozenset(forum_id for forum_id, kind in rows if kind == "m"),
    )


def current_actor() -> Actor:
    """The actor of this request: the logged-in member, or a guest."""
    actor = g.get("forum_actor")
    if actor is None:
        if current_user.is_authenticated:
            actor = load_actor(current_user.id, current_user.username, current_user.group)
        else:
            actor = GUEST_ACTOR.get(load_guest_actor)
        g.forum_actor = actor
    assert isinstance(actor, Actor)
    return actor


def load_guest_actor() -> Actor:
    """The actor of every guest, read from the Guest group (two queries)."""
    guest = db.session.scalar(select(Group).where(Group.key == GroupKey.GUEST))
    if guest is None:
        raise LookupError("The built-in Guest group is missing; run `forumapp db upgrade`.")
    return load_actor(None, "", guest)


def current_posts_per_page() -> int:
    """Posts on a topic page for this request: the member's choice, else the site's."""
    # Guests, and the members of a host app whose user model has no such column, get
    # the site's page size.
    chosen = getattr(current_user, "posts_per_page", None)
    if isinstance(chosen, int) and chosen > 0:
        return chosen
    size: int = current_app.config["POSTS_PER_PAGE"]
    return size


def current_reader() -> Reader | None:
    """The unread-tracking identity of a logged-in member; ``None`` for guests."""
    if not current_user.is_authenticated:
        return None
    window_start = utcnow() - timedelta(days=current_app.config["UNREAD_WINDOW_DAYS"])
    moments = [current_user.date_joined, current_user.all_read_at, window_start]
    return Reader(current_user.id, max(moment for moment in moments if moment is not None))

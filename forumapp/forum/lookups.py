"""Loading a forum, topic or post for an actor: what they may not see does not exist."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select

from forumapp.forum.errors import NotFound
from forumapp.forum.models import Forum, Post, Topic
from forumapp.forum.permissions import Actor
from forumapp.persistence import DbSession


def visible_forum(session: DbSession, actor: Actor, forum_id: int) -> Forum:
    """A forum the actor may see; :class:`NotFound` otherwise."""
    forum = session.get(Forum, forum_id) if actor.can_view_forum(forum_id) else None
    if forum is None:
        raise NotFound
    return forum


def visible_topic(session: DbSession, actor: Actor, topic_id: int) -> tuple[Topic, Forum]:
    """A topic the actor may see, with its forum, in one query."""
    row = session.execute(
        select(Topic, Forum).join(Forum, Forum.id == Topic.forum_id).where(Topic.id == topic_id)
    ).first()
    if row is None or not actor.can_view_topic(row[0]):
        raise NotFound
    return row[0], row[1]


def visible_post(session: DbSession, actor: Actor, post_id: int) -> tuple[Post, Topic, Forum]:
    """A post in a topic the actor may see, with its topic and forum, in one query."""
    row = session.execute(
        select(Post, Topic, Forum)
        .join(Topic, Topic.id == Post.topic_id)
        .join(Forum, Forum.id == Topic.forum_id)
        .where(Post.id == post_id)
    ).first()
    if row is None or not actor.can_view_topic(row[1]):
        raise NotFound
    return row[0], row[1], row[2]


def topics_visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL for :meth:`Actor.can_view_topic`: a visible forum, and not deleted unless the
    actor sees removed content there — for listings that filter in the database."""
    seen = sorted(forum_id for forum_id in actor.visible_forums if actor.sees_removed(forum_id))
    return and_(
        Topic.forum_id.in_(sorted(actor.visible_forums)),
        or_(Topic.deleted.is_(False), Topic.forum_id.in_(seen)),
    )

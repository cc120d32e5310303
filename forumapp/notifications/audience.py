"""Who may hear of something in a topic: SQL conditions on ``users`` that every fan-out
statement shares, so that a notification never names a topic its member cannot see or
chose to mute."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from forumapp.forum.models import forum_groups
from forumapp.notifications.kinds import Level
from forumapp.notifications.models import ForumWatch, TopicWatch
from forumapp.users.models import User


def sees_forum(forum_id: int) -> ColumnElement[bool]:
    """The member's group may see the forum."""
    return exists(
        select(forum_groups.c.forum_id).where(
            forum_groups.c.forum_id == forum_id, forum_groups.c.group_id == User.group_id
        )
    )


def topic_level_is(topic_id: int, level: Level) -> ColumnElement[bool]:
    """The member chose ``level`` for the topic."""
    return exists(
        select(TopicWatch.user_id).where(
            TopicWatch.user_id == User.id,
            TopicWatch.topic_id == topic_id,
            TopicWatch.level == level,
        )
    )


def not_muted(topic_id: int, forum_id: int) -> ColumnElement[bool]:
    """Neither the topic nor, unless the topic has a level of its own, its forum is muted."""
    topic_row = exists(
        select(TopicWatch.user_id).where(
            TopicWatch.user_id == User.id, TopicWatch.topic_id == topic_id
        )
    )
    forum_muted = exists(
        select(ForumWatch.user_id).where(
            ForumWatch.user_id == User.id,
            ForumWatch.forum_id == forum_id,
            ForumWatch.level == Level.MUTED,
        )
    )
    return and_(~topic_level_is(topic_id, Level.MUTED), or_(topic_row, ~forum_muted))

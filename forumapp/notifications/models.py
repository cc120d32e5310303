"""Notifications, what members watch, and how they want to be emailed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.forum.models import TITLE_MAX_LENGTH
from forumapp.sqltypes import UTCDateTime

KIND_MAX_LENGTH = 24
LEVEL_MAX_LENGTH = 12
NAME_MAX_LENGTH = 64


class Notification(db.Model):  # type: ignore[name-defined,misc]
    """One line of a member's notifications: an event, or unread replies in one topic
    counted together (``event_count``)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The member's list, newest first, and its unread count.
        Index("ix_notifications_user_updated", "user_id", "updated_at", "id"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
        # A new reply finds the unread line it joins.
        Index("ix_notifications_topic_kind", "topic_id", "kind", "user_id"),
        # Emails and digests look for the lines still due.
        Index("ix_notifications_mail", "mail_status", "user_id"),
        # Pruning looks for old read lines.
        Index("ix_notifications_read_at", "read_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(KIND_MAX_LENGTH))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    #: The post to open: the first of a line's posts.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    #: The private conversation of a message notification (``None`` for forum events).
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    #: Who did it last (a line of several replies names its latest author).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    #: The topic's title when it happened, or what a moderator did.
    subject: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH), default="")
    #: A moderation action ("post.hide"), empty for other kinds.
    detail: Mapped[str] = mapped_column(String(KIND_MAX_LENGTH), default="")
    event_count: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The :class:`~forumapp.notifications.kinds.EmailMode` still due, or ``"sent"``.
    mail_status: Mapped[str] = mapped_column(String(LEVEL_MAX_LENGTH))


class _Watch:
    """A member's level for one thing they can follow (no row: tracking)."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(LEVEL_MAX_LENGTH))


class TopicWatch(_Watch, db.Model):  # type: ignore[name-defined,misc]
    """How closely a member follows a topic (no row: tracking, or muted with its forum)."""

    __tablename__ = "topic_watches"
    __table_args__ = (Index("ix_topic_watches_topic_level", "topic_id", "level"),)

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )


class ForumWatch(_Watch, db.Model):  # type: ignore[name-defined,misc]
    """How closely a member follows a forum: watching means every new topic."""

    __tablename__ = "forum_watches"
    __table_args__ = (Index("ix_forum_watches_forum_level", "forum_id", "level"),)

    forum_id: Mapped[int] = mapped_column(
        ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True
    )


class EmailChoice(db.Model):  # type: ignore[name-defined,misc]
    """A member's email mode for one kind (no row: the kind's default)."""

    __tablename__ = "notification_email_choices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(KIND_MAX_LENGTH), primary_key=True)
    mode: Mapped[str] = mapped_column(String(LEVEL_MAX_LENGTH))


class WatchPreference(db.Model):  # type: ignore[name-defined,misc]
    """Which topics a member starts watching by themselves (no row: the defaults)."""

    __tablename__ = "watch_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: Watch the topics I start (default on).
    watch_created: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Watch the topics I reply to (default off: they are tracked).
    watch_replied: Mapped[bool] = mapped_column(Boolean, default=False)

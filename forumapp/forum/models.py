"""Categories, forums, topics, posts, reading state and reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime, utcnow

TITLE_MAX_LENGTH = 150

#: Groups allowed to see a forum; a forum hidden from a group answers it with 404.
forum_groups = Table(
    "forum_groups",
    db.metadata,
    Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)

#: Members who moderate a forum.
forum_moderators = Table(
    "forum_moderators",
    db.metadata,
    Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Category(db.Model):  # type: ignore[name-defined,misc]
    """A heading that groups forums on the index."""

    __tablename__ = "categories"
    # Ids are never reused, on SQLite too (migration 0012).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Forum(db.Model):  # type: ignore[name-defined,misc]
    """A board of topics. Counters and the last post are kept up to date on write."""

    __tablename__ = "forums"
    # Ids are never reused, on SQLite too (migration 0012).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_topic_id: Mapped[int | None] = mapped_column(Integer)
    last_topic_title: Mapped[str | None] = mapped_column(String(TITLE_MAX_LENGTH))
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_poster_name: Mapped[str | None] = mapped_column(String(64))


class Topic(db.Model):  # type: ignore[name-defined,misc]
    """A conversation: a title and its posts, numbered from 1 in the order written."""

    __tablename__ = "topics"
    __table_args__ = (
        # The forum page: sticky first, then by last activity.
        Index("ix_topics_forum_listing", "forum_id", "sticky", "last_post_at"),
        # The same page for readers who do not see deleted topics: deep pages skip their
        # OFFSET inside the index instead of reading every skipped topic's row.
        Index("ix_topics_forum_visible", "forum_id", "deleted", "sticky", "last_post_at", "id"),
        Index("ix_topics_user_created", "user_id", "created_at"),
        # Unread tracking looks at recently active topics across forums.
        Index("ix_topics_last_post_at", "last_post_at"),
        # /new: topics by creation time across forums.
        Index("ix_topics_created_at", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    sticky: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Soft-deleted topics are shown to moderators only.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When and by whom the topic was deleted, for the marker staff see.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(64))
    #: Numbers handed out so far; the next post gets ``post_number_seq + 1``.
    post_number_seq: Mapped[int] = mapped_column(Integer, default=0)
    #: Visible (not deleted) posts, the first one included.
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_poster_name: Mapped[str] = mapped_column(String(64), default="")

    @property
    def reply_count(self) -> int:
        """Visible posts after the first."""
        return max(self.post_count - 1, 0)


class Post(db.Model):  # type: ignore[name-defined,misc]
    """One message in a topic; its Markdown is rendered to HTML once, when saved."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("topic_id", "number"),
        Index("ix_posts_user_created", "user_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    #: Position in the topic, from 1; never reused, so pages are number ranges.
    number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by: Mapped[str | None] = mapped_column(String(64))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When and by whom the post was deleted, for the marker staff see.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(64))
    #: Hidden by a moderator: shown to moderators only, with the reason.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class TopicRead(db.Model):  # type: ignore[name-defined,misc]
    """How far a member has read a topic."""

    __tablename__ = "topic_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class ForumRead(db.Model):  # type: ignore[name-defined,misc]
    """When a member last marked a whole forum read."""

    __tablename__ = "forum_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    forum_id: Mapped[int] = mapped_column(
        ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True
    )
    cleared_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Report(db.Model):  # type: ignore[name-defined,misc]
    """A member's report of a post, waiting for a moderator."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_open", "handled_at", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    #: What the moderator did about it (a ``ReportResolution`` value; "" before 0025).
    resolution: Mapped[str] = mapped_column(String(32), default="", server_default="")


class MemberWarning(db.Model):  # type: ignore[name-defined,misc]
    """A moderator's warning to a member, kept for the record and emailed to them."""

    __tablename__ = "member_warnings"
    __table_args__ = (
        Index("ix_member_warnings_user_created", "user_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Kept as text so the warning survives the moderator's account.
    moderator_name: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Private conversations: who takes part, what was said, and reports of what was said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime
from forumapp.users.models import USERNAME_MAX_LENGTH

SUBJECT_MAX_LENGTH = 120


class Conversation(db.Model):  # type: ignore[name-defined,misc]
    """A private conversation between two or more members."""

    __tablename__ = "conversations"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    #: Who started it, the only one who may add participants; ``None`` once they left
    #: the forum.
    starter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The newest message, kept on write: listings sort on it and compare it with each
    #: participant's reading position.
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_author_name: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), default="")
    message_count: Mapped[int] = mapped_column(Integer, default=0)


class Participant(db.Model):  # type: ignore[name-defined,misc]
    """A member's place in a conversation, with their own reading position and choices."""

    __tablename__ = "conversation_participants"
    __table_args__ = (
        # Every listing of one member's conversations: the inbox, sent and archived boxes
        # and the header's unread count.
        Index("ix_conversation_participants_user_archived", "user_id", "archived"),
    )

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The newest message this member has seen; the conversation is unread while its
    #: ``last_message_id`` is above it.
    last_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: A muted conversation sends no email and does not count as unread in the header.
    muted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Message(db.Model):  # type: ignore[name-defined,misc]
    """One message of a conversation: Markdown stored with its sanitized HTML."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_messages_author_id", "author_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    #: ``None`` once the author deleted their account; ``author_name`` then says so.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH))
    content: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MessageReport(db.Model):  # type: ignore[name-defined,misc]
    """A participant's report of a message, waiting for a moderator: the only way a
    moderator gets to read a private message."""

    __tablename__ = "message_reports"
    __table_args__ = (
        Index("ix_message_reports_open", "handled_at", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

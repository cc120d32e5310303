"""A change of email address waiting for the new address to confirm it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime
from forumapp.users.models import EMAIL_MAX_LENGTH


class EmailChange(db.Model):  # type: ignore[name-defined,misc]
    """The one pending change of a member's address.

    Its links hold random tokens of which only SHA-256 digests are kept here. Deleting the
    row (confirmed, cancelled or replaced by a newer request) kills both links at once.
    """

    __tablename__ = "email_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    new_email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    #: The member's address when the change was asked for: a change made since voids it.
    old_email_key: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    confirm_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cancel_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

"""Server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime, utcnow


class AuthSession(db.Model):  # type: ignore[name-defined,misc]
    """One logged-in browser. Deleting the row logs that browser out, cookies and all."""

    __tablename__ = "auth_sessions"
    # Ids are never reused, on SQLite too (migration 0012).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the cookie, so a database leak does not leak sessions.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    #: When the browser last used the session, to within ``stores.LAST_SEEN_RESOLUTION``.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

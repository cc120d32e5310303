"""Personal access tokens: how scripts and apps authenticate to the JSON API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime, utcnow

#: The widths of ``api_tokens.name`` and ``api_tokens.prefix``.
NAME_MAX_LENGTH = 64
PREFIX_MAX_LENGTH = 16


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A member's named credential for the API; only a hash of its secret is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("user_id", "name"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    #: The first characters of the secret, so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(PREFIX_MAX_LENGTH))
    #: SHA-256 of the secret, so a database leak does not leak working tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: A :class:`forumapp.api.tokens.TokenScope` value.
    scope: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Updated at most every few minutes (see ``TokenService.authenticate``).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

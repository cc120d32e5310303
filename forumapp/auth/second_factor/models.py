"""Tables of second factors, pending logins and the login history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime

#: Keep ids unique for ever on SQLite too, like every other table (migration 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}


class TotpCredential(db.Model):  # type: ignore[name-defined,misc]
    """An account's authenticator app: present only once enrolment was confirmed."""

    __tablename__ = "totp_credentials"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: The shared secret, encrypted (see :mod:`forumapp.auth.second_factor.sealing`).
    secret: Mapped[str] = mapped_column(String(255))
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The newest 30-second step a code was accepted for: no code of it or before it
    #: is accepted again.
    last_used_step: Mapped[int] = mapped_column(Integer)


class RecoveryCode(db.Model):  # type: ignore[name-defined,misc]
    """One single-use recovery code, stored as its SHA-256 (the codes are random)."""

    __tablename__ = "recovery_codes"
    __table_args__ = _KEEP_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginChallenge(db.Model):  # type: ignore[name-defined,misc]
    """A login whose password was right, waiting for the second step."""

    __tablename__ = "login_challenges"
    __table_args__ = _KEEP_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token the browser holds, so a database leak completes no login.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class LoginEvent(db.Model):  # type: ignore[name-defined,misc]
    """One login attempt of an existing account, for its owner to review."""

    __tablename__ = "login_events"
    __table_args__ = _KEEP_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[str] = mapped_column(String(32))
    second_factor: Mapped[str | None] = mapped_column(String(16))

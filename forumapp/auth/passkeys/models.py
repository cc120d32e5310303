"""Tables of registered passkeys and of the challenges handed out for their ceremonies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime

#: Keep ids unique for ever on SQLite too, like every other table (migration 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}
#: A credential id is at most 1023 bytes (WebAuthn level 3): 1364 characters in base64url.
CREDENTIAL_ID_LENGTH = 1400
NAME_LENGTH = 64


class Passkey(db.Model):  # type: ignore[name-defined,misc]
    """A member's registered passkey: its public key and how often it was used."""

    __tablename__ = "passkeys"
    __table_args__ = _KEEP_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The authenticator's id of the credential, base64url: how an assertion names it.
    credential_id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH), unique=True)
    #: The COSE public key the assertions are checked with.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    #: The authenticator's signature counter (0 for authenticators that keep none).
    sign_count: Mapped[int] = mapped_column(BigInteger)
    #: How the browser reaches the authenticator (``internal``, ``usb``...), comma-separated.
    transports: Mapped[str] = mapped_column(String(255), default="")
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasskeyChallenge(db.Model):  # type: ignore[name-defined,misc]
    """A challenge handed to a browser for one ceremony: it answers once, soon."""

    __tablename__ = "passkey_challenges"
    __table_args__ = _KEEP_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 of the challenge: the browser's answer names it in its client data.
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The member the ceremony is for; none for a sign-in, where the passkey names them.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: ``register``, ``login`` or ``sign-in``: an answer to one ceremony completes no other.
    purpose: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

"""SQLAlchemy implementations of the passkey service's ports over forumapp's tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, select, update

from forumapp.auth.passkeys.ceremony import NewCredential
from forumapp.auth.passkeys.models import Passkey, PasskeyChallenge
from forumapp.auth.passkeys.service import StoredPasskey
from forumapp.auth.ports import AuthUser
from forumapp.persistence import DbSession


def _changed_one_row(result: object) -> bool:
    # A conditional UPDATE or DELETE tells whether this request, and no other, made it.
    return cast(CursorResult[object], result).rowcount == 1


def _stored(row: Passkey) -> StoredPasskey:
    return StoredPasskey(
        id=row.id,
        user_id=row.user_id,
        credential_id=row.credential_id,
        public_key=row.public_key,
        sign_count=row.sign_count,
        transports=tuple(t for t in row.transports.split(",") if t),
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


class SqlPasskeyStore:
    """Registered passkeys in ``passkeys``."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def for_user(self, user_id: int) -> Sequence[StoredPasskey]:
        rows = self._session.scalars(
            select(Passkey)
            .where(Passkey.user_id == user_id)
            .order_by(Passkey.id)
            .execution_options(populate_existing=True)
        )
        return [_stored(row) for row in rows]

    def by_credential_id(self, credential_id: str) -> StoredPasskey | None:
        row = self._session.scalar(
            select(Passkey)
            .where(Passkey.credential_id == credential_id)
            .execution_options(populate_existing=True)
        )
        return _stored(row) if row is not None else None

    def add(self, user_id: int, credential: NewCredential, name: str, when: datetime) -> None:
        self._session.add(
            Passkey(
                user_id=user_id,
                credential_id=credential.credential_id,
                public_key=credential.public_key,
                sign_count=credential.sign_count,
                transports=",".join(credential.transports),
                name=name,
                created_at=when,
            )
        )

    def rename(self, user_id: int, passkey_id: int, name: str) -> bool:
        return _changed_one_row(
            self._session.execute(
                update(Passkey)
                .where(Passkey.id == passkey_id, Passkey.user_id == user_id)
                .values(name=name)
                .execution_options(synchronize_session=False)
            )
        )

    def remove(self, user_id: int, passkey_id: int) -> bool:
        return _changed_one_row(
            self._session.execute(
                delete(Passkey)
                .where(Passkey.id == passkey_id, Passkey.user_id == user_id)
                .execution_options(synchronize_session=False)
            )
        )

    def record_use(self, passkey: StoredPasskey, sign_count: int, when: datetime) -> bool:
        # Only from the count this check read: a concurrent use of the same answer loses.
        return _changed_one_row(
            self._session.execute(
                update(Passkey)
                .where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count)
                .values(sign_count=sign_count, last_used_at=when)
                .execution_options(synchronize_session=False)
            )
        )


class SqlChallengeStore:
    """Ceremony challenges in ``passkey_challenges``, by their hash."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def open(
        self,
        user_id: int | None,
        purpose: str,
        challenge_hash: str,
        now: datetime,
        lifetime: timedelta,
    ) -> None:
        """Keep the challenge. Expired ones go, and so do the member's earlier ones of this
        ceremony: only the newest ceremony of each kind is live."""
        stale = PasskeyChallenge.expires_at <= now
        if user_id is not None:
            earlier = (PasskeyChallenge.user_id == user_id) & (PasskeyChallenge.purpose == purpose)
            stale = stale | earlier
        self._session.execute(delete(PasskeyChallenge).where(stale))
        self._session.add(
            PasskeyChallenge(
                user_id=user_id,
                purpose=purpose,
                challenge_hash=challenge_hash,
                expires_at=now + lifetime,
            )
        )

    def take(self, challenge_hash: str, purpose: str, user_id: int | None, now: datetime) -> bool:
        """Delete the live challenge of ``user_id`` (none: a sign-in's); whether there was one."""
        owner = (
            PasskeyChallenge.user_id.is_(None)
            if user_id is None
            else PasskeyChallenge.user_id == user_id
        )
        # Of two requests with one answer, only the one whose delete took the row goes on.
        return _changed_one_row(
            self._session.execute(
                delete(PasskeyChallenge)
                .where(
                    PasskeyChallenge.challenge_hash == challenge_hash,
                    PasskeyChallenge.purpose == purpose,
                    PasskeyChallenge.expires_at > now,
                    owner,
                )
                .execution_options(synchronize_session=False)
            )
        )


class PasskeysPresent:
    """Whether a member has a passkey: what the authenticator app's service asks before it
    tells the owner that turning the app off left the password alone."""

    def __init__(self, session: DbSession) -> None:
        self._store = SqlPasskeyStore(session)

    def enabled_for(self, user: AuthUser) -> bool:
        """Whether ``user`` has at least one passkey."""
        return bool(self._store.for_user(user.id))

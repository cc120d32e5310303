"""SQLAlchemy implementations of the credentials ports over forumapp's own tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import delete, select

from forumapp.account.credentials.models import EmailChange
from forumapp.account.credentials.ports import PendingEmailChange, StoredSession
from forumapp.auth.models import AuthSession
from forumapp.auth.ports import AuthUser
from forumapp.auth.stores import SqlUserStore, hash_session_token
from forumapp.persistence import DbSession
from forumapp.users.models import User, email_key


class SqlDeviceSessions:
    """Login sessions in the ``auth_sessions`` table, seen from their member's side."""

    def __init__(self, session: DbSession, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def live_sessions(self, user_id: int) -> list[StoredSession]:
        rows = self._session.execute(
            select(
                AuthSession.id,
                AuthSession.token_hash,
                AuthSession.created_at,
                AuthSession.last_seen_at,
                AuthSession.ip_address,
                AuthSession.user_agent,
            )
            .where(AuthSession.user_id == user_id, AuthSession.expires_at > self._clock())
            .order_by(AuthSession.last_seen_at.desc().nulls_last(), AuthSession.id.desc())
        )
        return [StoredSession(*row) for row in rows]

    def end(self, user_id: int, session_id: int) -> bool:
        result = self._session.execute(
            delete(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def end_all_except(self, user_id: int, token: str) -> int:
        result = self._session.execute(
            delete(AuthSession).where(
                AuthSession.user_id == user_id,
                AuthSession.token_hash != hash_session_token(token),
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlEmailChanges:
    """Pending email changes in the ``email_changes`` table."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def replace(
        self, user_id: int, change: PendingEmailChange, confirm_hash: str, cancel_hash: str
    ) -> None:
        self.delete(user_id)
        self._session.add(
            EmailChange(
                user_id=user_id,
                new_email=change.new_email,
                old_email_key=change.old_email_key,
                confirm_hash=confirm_hash,
                cancel_hash=cancel_hash,
                requested_at=change.requested_at,
                expires_at=change.expires_at,
            )
        )

    def find(self, *, confirm_hash: str = "", cancel_hash: str = "") -> PendingEmailChange | None:
        column = EmailChange.confirm_hash if confirm_hash else EmailChange.cancel_hash
        digest = confirm_hash or cancel_hash
        row = self._session.scalar(select(EmailChange).where(column == digest)) if digest else None
        if row is None:
            return None
        return PendingEmailChange(
            row.user_id, row.new_email, row.old_email_key, row.requested_at, row.expires_at
        )

    def delete(self, user_id: int) -> None:
        self._session.execute(delete(EmailChange).where(EmailChange.user_id == user_id))


class SqlEmailAccounts(SqlUserStore):
    """Accounts in the ``users`` table, whose address can change."""

    def set_email(self, user: AuthUser, email: str) -> None:
        # The services hand back the objects this store gave them.
        model = cast(User, user)
        model.email = email
        model.email_key = email_key(email)

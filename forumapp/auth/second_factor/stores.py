"""SQLAlchemy implementations of the second-factor ports over forumapp's tables."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, delete, func, select, update

from forumapp.auth.second_factor.models import (
    LoginChallenge,
    LoginEvent,
    RecoveryCode,
    TotpCredential,
)
from forumapp.auth.second_factor.ports import Challenge, LoginAttempt
from forumapp.auth.second_factor.service import TotpState
from forumapp.persistence import DbSession


def _changed_one_row(result: object) -> bool:
    # A conditional UPDATE or DELETE tells whether this request, and no other, made it.
    return cast(CursorResult[object], result).rowcount == 1


class SqlSecondFactorStore:
    """Authenticator secrets in ``totp_credentials``, codes in ``recovery_codes``."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def totp(self, user_id: int) -> TotpState | None:
        row = self._session.get(TotpCredential, user_id, populate_existing=True)
        if row is None:
            return None
        return TotpState(row.secret, row.enabled_at, row.last_used_step)

    def save_totp(self, user_id: int, sealed_secret: str, when: datetime, step: int) -> None:
        self._session.add(
            TotpCredential(
                user_id=user_id, secret=sealed_secret, enabled_at=when, last_used_step=step
            )
        )

    def advance_step(self, user_id: int, step: int) -> bool:
        return _changed_one_row(
            self._session.execute(
                update(TotpCredential)
                .where(TotpCredential.user_id == user_id, TotpCredential.last_used_step < step)
                .values(last_used_step=step)
                .execution_options(synchronize_session=False)
            )
        )

    def replace_recovery_codes(self, user_id: int, code_hashes: list[str]) -> None:
        self._session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        self._session.add_all(RecoveryCode(user_id=user_id, code_hash=h) for h in code_hashes)

    def use_recovery_code(self, user_id: int, code_hash: str, when: datetime) -> bool:
        return _changed_one_row(
            self._session.execute(
                update(RecoveryCode)
                .where(
                    RecoveryCode.user_id == user_id,
                    RecoveryCode.code_hash == code_hash,
                    RecoveryCode.used_at.is_(None),
                )
                .values(used_at=when)
                .execution_options(synchronize_session=False)
            )
        )

    def recovery_codes_left(self, user_id: int) -> int:
        return (
            self._session.scalar(
                select(func.count())
                .select_from(RecoveryCode)
                .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
            )
            or 0
        )

    def remove_all(self, user_id: int) -> None:
        self._session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        self._session.execute(delete(TotpCredential).where(TotpCredential.user_id == user_id))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SqlChallengeStore:
    """Pending logins in ``login_challenges``; an expired or closed one is gone for good."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def open(self, user_id: int, remember: bool, expires_at: datetime) -> str:
        token = secrets.token_urlsafe(32)
        # One pending login per account: an older one, finished or not, ends here.
        self._session.execute(delete(LoginChallenge).where(LoginChallenge.user_id == user_id))
        self._session.add(
            LoginChallenge(
                user_id=user_id,
                token_hash=_token_hash(token),
                expires_at=expires_at,
                remember=remember,
                failures=0,
            )
        )
        return token

    def find(self, token: str, now: datetime) -> Challenge | None:
        row = self._session.execute(
            select(
                LoginChallenge.id,
                LoginChallenge.user_id,
                LoginChallenge.remember,
                LoginChallenge.failures,
            ).where(
                LoginChallenge.token_hash == _token_hash(token), LoginChallenge.expires_at > now
            )
        ).first()
        return Challenge(*row) if row is not None else None

    def count_failure(self, challenge: Challenge) -> None:
        self._session.execute(
            update(LoginChallenge)
            .where(LoginChallenge.id == challenge.id)
            .values(failures=LoginChallenge.failures + 1)
        )

    def close(self, challenge: Challenge) -> bool:
        return _changed_one_row(
            self._session.execute(delete(LoginChallenge).where(LoginChallenge.id == challenge.id))
        )


class SqlLoginHistory:
    """Login attempts in ``login_events``: the newest ``keep`` of each account."""

    def __init__(self, session: DbSession, keep: int = 50) -> None:
        self._session = session
        self._keep = keep

    def record(self, attempt: LoginAttempt) -> None:
        """Add the attempt and forget those of the account beyond the newest ``keep``."""
        self._session.add(
            LoginEvent(
                user_id=attempt.user_id,
                happened_at=attempt.when,
                ip_address=attempt.client.ip_address[:45],
                user_agent=attempt.client.user_agent[:255],
                outcome=attempt.outcome.value,
                second_factor=attempt.second_factor,
            )
        )
        self._session.flush()
        newest = (
            select(LoginEvent.id)
            .where(LoginEvent.user_id == attempt.user_id)
            .order_by(LoginEvent.id.desc())
            .limit(self._keep)
        )
        self._session.execute(
            delete(LoginEvent).where(
                LoginEvent.user_id == attempt.user_id,
                LoginEvent.id.not_in(newest.scalar_subquery()),
            )
        )

    def recent(self, user_id: int) -> Sequence[LoginEvent]:
        """The account's kept attempts, the newest first (one query)."""
        return self._session.scalars(
            select(LoginEvent).where(LoginEvent.user_id == user_id).order_by(LoginEvent.id.desc())
        ).all()

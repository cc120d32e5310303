"""In-memory implementations of the second-factor ports, for service and view tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from forumapp.auth.ports import AuthUser, Notice
from forumapp.auth.second_factor.ports import Challenge, LoginAttempt
from forumapp.auth.second_factor.service import TotpState


@dataclass
class InMemorySecondFactorStore:
    """Secrets and recovery code hashes in dicts."""

    totps: dict[int, TotpState] = field(default_factory=dict)
    #: user id -> code hash -> used at
    codes: dict[int, dict[str, datetime | None]] = field(default_factory=dict)

    def totp(self, user_id: int) -> TotpState | None:
        return self.totps.get(user_id)

    def save_totp(self, user_id: int, sealed_secret: str, when: datetime, step: int) -> None:
        self.totps[user_id] = TotpState(sealed_secret, when, step)

    def advance_step(self, user_id: int, step: int) -> bool:
        state = self.totps.get(user_id)
        if state is None or state.last_used_step >= step:
            return False
        self.totps[user_id] = TotpState(state.sealed_secret, state.enabled_at, step)
        return True

    def replace_recovery_codes(self, user_id: int, code_hashes: list[str]) -> None:
        self.codes[user_id] = dict.fromkeys(code_hashes)

    def use_recovery_code(self, user_id: int, code_hash: str, when: datetime) -> bool:
        codes = self.codes.get(user_id, {})
        if code_hash not in codes or codes[code_hash] is not None:
            return False
        codes[code_hash] = when
        return True

    def recovery_codes_left(self, user_id: int) -> int:
        return sum(1 for used in self.codes.get(user_id, {}).values() if used is None)

    def remove_all(self, user_id: int) -> None:
        self.totps.pop(user_id, None)
        self.codes.pop(user_id, None)


@dataclass
class InMemoryChallengeStore:
    """Pending logins by token."""

    rows: dict[str, tuple[Challenge, datetime]] = field(default_factory=dict)

    def open(self, user_id: int, remember: bool, expires_at: datetime) -> str:
        token = secrets.token_urlsafe(16)
        self.rows[token] = (Challenge(len(self.rows) + 1, user_id, remember, 0), expires_at)
        return token

    def find(self, token: str, now: datetime) -> Challenge | None:
        row = self.rows.get(token)
        return row[0] if row is not None and row[1] > now else None

    def _token(self, challenge: Challenge) -> str | None:
        return next((t for t, (c, _) in self.rows.items() if c.id == challenge.id), None)

    def count_failure(self, challenge: Challenge) -> None:
        token = self._token(challenge)
        if token is not None:
            current, expires = self.rows[token]
            failures = current.failures + 1
            self.rows[token] = (
                Challenge(current.id, current.user_id, current.remember, failures),
                expires,
            )

    def close(self, challenge: Challenge) -> bool:
        token = self._token(challenge)
        return token is not None and self.rows.pop(token, None) is not None


@dataclass
class RecordingHistory:
    """Login attempts in a list."""

    attempts: list[LoginAttempt] = field(default_factory=list)

    def record(self, attempt: LoginAttempt) -> None:
        self.attempts.append(attempt)


@dataclass
class RecordingSecondFactorMailer:
    """The notices, as (kind, address, codes left) tuples, and what each said about when
    and from which browser in ``notices``."""

    sent: list[tuple[str, str, int | None]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def send_two_factor_enabled(self, user: AuthUser, notice: Notice) -> None:
        self.sent.append(("two_factor_enabled", user.email, None))
        self.notices.append(notice)

    def send_two_factor_disabled(self, user: AuthUser, notice: Notice) -> None:
        self.sent.append(("two_factor_disabled", user.email, None))
        self.notices.append(notice)

    def send_authenticator_removed(self, user: AuthUser, notice: Notice) -> None:
        self.sent.append(("authenticator_removed", user.email, None))
        self.notices.append(notice)

    def send_recovery_code_used(self, user: AuthUser, notice: Notice, codes_left: int) -> None:
        self.sent.append(("recovery_code_used", user.email, codes_left))
        self.notices.append(notice)

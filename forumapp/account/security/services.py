"""What the security page shows, gathered in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forumapp.auth.agents import describe_user_agent
from forumapp.auth.passkeys.service import PASSKEY, StoredPasskey
from forumapp.auth.ports import AuthUser
from forumapp.auth.second_factor.models import LoginEvent
from forumapp.auth.second_factor.ports import LoginOutcome
from forumapp.auth.second_factor.service import RECOVERY, TOTP, TwoFactorStatus
from forumapp.auth.services import PASSWORDLESS
from forumapp.lazy_text import lazy_gettext as _l


class RecentLogins(Protocol):
    """The kept login attempts of an account, the newest first."""

    def recent(self, user_id: int) -> Sequence[LoginEvent]: ...


class PasskeyList(Protocol):
    """The passkeys of an account, oldest first."""

    def passkeys(self, user: AuthUser) -> Sequence[StoredPasskey]: ...


class SecondFactorStatus(Protocol):
    """Whether an account has a second factor, and how many recovery codes are left."""

    def status(self, user: AuthUser) -> TwoFactorStatus: ...


#: How each outcome and second-factor method reads in the history.
OUTCOMES = {
    LoginOutcome.SUCCESS: _l("Logged in"),
    LoginOutcome.FAILURE: _l("Wrong password"),
    LoginOutcome.SECOND_FACTOR_FAILED: _l("Wrong two-factor code"),
}
METHODS = {
    TOTP: _l("Authenticator app"),
    RECOVERY: _l("Recovery code"),
    PASSKEY: _l("Passkey"),
    PASSWORDLESS: _l("Passkey, without password"),
}


@dataclass(frozen=True)
class LoginRow:
    """One login attempt as the history lists it."""

    when: datetime
    address: str
    browser: str
    user_agent: str
    outcome: str
    succeeded: bool
    second_factor: str | None


@dataclass(frozen=True)
class SecurityOverview:
    """The second factor of an account and its recent login attempts."""

    two_factor: TwoFactorStatus
    logins: Sequence[LoginRow]
    passkeys: Sequence[StoredPasskey] = ()


def _row(event: LoginEvent) -> LoginRow:
    outcome = LoginOutcome(event.outcome)
    return LoginRow(
        when=event.happened_at,
        address=event.ip_address,
        browser=describe_user_agent(event.user_agent),
        user_agent=event.user_agent,
        outcome=OUTCOMES[outcome],
        succeeded=outcome is LoginOutcome.SUCCESS,
        second_factor=METHODS.get(event.second_factor or "", event.second_factor),
    )


class SecurityReport:
    """Reads the security overview of the member's own account."""

    def __init__(
        self,
        two_factor: SecondFactorStatus,
        history: RecentLogins,
        passkeys: PasskeyList | None = None,
    ) -> None:
        self._two_factor = two_factor
        self._history = history
        self._passkeys = passkeys

    def overview(self, user: AuthUser) -> SecurityOverview:
        """The account's second factors and its login attempts, newest first."""
        logins = [_row(event) for event in self._history.recent(user.id)]
        passkeys = self._passkeys.passkeys(user) if self._passkeys is not None else ()
        return SecurityOverview(self._two_factor.status(user), logins, passkeys)

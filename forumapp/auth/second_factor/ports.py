"""What the login needs from second factors, pending logins and the login history.

:class:`~forumapp.auth.services.AuthenticationManager` takes these as optional
collaborators: without them a login needs the password only and nothing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from forumapp.auth.ports import AuthUser, ClientInfo


class LoginOutcome(StrEnum):
    """How a login attempt of an existing account ended."""

    SUCCESS = "success"
    FAILURE = "failure"
    SECOND_FACTOR_FAILED = "second-factor-failed"


@dataclass(frozen=True)
class LoginAttempt:
    """One login attempt, as the account's owner reviews it later."""

    user_id: int
    when: datetime
    client: ClientInfo
    outcome: LoginOutcome
    #: The method of the second step (``"totp"``, ``"recovery"``), if there was one.
    second_factor: str | None = None


class LoginHistory(Protocol):
    """Keeps the recent login attempts of each account; writes join the caller's unit of work."""

    def record(self, attempt: LoginAttempt) -> None: ...


@dataclass(frozen=True)
class CodeProof:
    """A code typed by the person: from an authenticator app, or a recovery code."""

    code: str


@dataclass(frozen=True)
class PasskeyProof:
    """A passkey's signed answer (the JSON of ``navigator.credentials.get``) to a
    challenge the server handed out for this login."""

    answer: str


#: Everything a second step can be answered with. Each second factor answers ``None``
#: to the proofs that are not its kind.
Proof = CodeProof | PasskeyProof


class SecondFactor(Protocol):
    """The second proof of an account's owner after the password.

    ``check`` writes (the time step just used, a spent recovery code) without committing:
    the caller's unit of work keeps them together with the login they allow.
    """

    def enabled_for(self, user: AuthUser) -> bool: ...
    def check(self, user: AuthUser, proof: Proof) -> str | None: ...
    def after_use(self, user: AuthUser, method: str, client: ClientInfo) -> None: ...


class PasskeyChallenger(Protocol):
    """Passkeys at login: the challenge of a second step, and a sign-in on their own.

    ``identify`` writes (the challenge spent, the passkey's use) without committing.
    """

    def enabled_for(self, user: AuthUser) -> bool: ...
    def authentication_options(self, user: AuthUser) -> str: ...
    def sign_in_options(self) -> str: ...
    def identify(self, answer: str) -> int | None: ...


class PasskeyFactor(SecondFactor, Protocol):
    """Passkeys as the second factor of a confirmation: a challenge for the member, then
    their answer checked as a :class:`PasskeyProof`."""

    def authentication_options(self, user: AuthUser) -> str: ...


@dataclass(frozen=True)
class Challenge:
    """A login waiting for its second step: the password was right."""

    id: int
    user_id: int
    remember: bool
    failures: int


class ChallengeStore(Protocol):
    """Pending logins: short-lived, and each can complete once."""

    def open(self, user_id: int, remember: bool, expires_at: datetime) -> str: ...
    def find(self, token: str, now: datetime) -> Challenge | None: ...
    def count_failure(self, challenge: Challenge) -> None: ...
    def close(self, challenge: Challenge) -> bool: ...


@dataclass(frozen=True)
class PendingLogin:
    """The password was right and a second step is due: ``token`` names the pending login."""

    token: str
    user_id: int

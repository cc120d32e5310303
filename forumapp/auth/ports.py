"""What the auth services need from the outside world.

forumapp implements these with SQLAlchemy (:mod:`forumapp.auth.stores`) and Flask-Mailman
(:mod:`forumapp.auth.emails`). An application that mounts the auth blueprint over its own
user store implements them itself and passes factories to :func:`create_auth_blueprint`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class AuthUser(Protocol):
    """The fields of an account that authentication reads."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def password_hash(self) -> str: ...
    @property
    def activated(self) -> bool: ...
    @property
    def is_banned(self) -> bool: ...
    @property
    def language(self) -> str:
        """The language the member chose (at registration, or since); may be empty."""
        ...

    def attach_session(self, token: str) -> None: ...


@dataclass(frozen=True)
class NewAccount:
    """The data of an account about to be created."""

    username: str
    email: str
    password_hash: str
    language: str
    activated: bool
    joined: datetime


@dataclass(frozen=True)
class ClientInfo:
    """Where a login comes from, kept with the session for the account owner to review."""

    ip_address: str
    user_agent: str


@dataclass(frozen=True)
class Notice:
    """What a security notice tells the owner: when, and from which browser and network."""

    when: datetime
    browser: str
    address: str


class UserStore(Protocol):
    """Finds and changes accounts. Lookups are case-insensitive."""

    def get(self, user_id: int) -> AuthUser | None: ...
    def find_by_login(self, login: str) -> AuthUser | None: ...
    def find_by_email(self, email: str) -> AuthUser | None: ...
    def username_taken(self, username: str) -> bool: ...
    def add(self, account: NewAccount) -> AuthUser: ...
    def set_password_hash(self, user: AuthUser, password_hash: str) -> None: ...
    def set_activated(self, user: AuthUser) -> None: ...
    def record_login(self, user: AuthUser, when: datetime) -> None: ...
    def record_failed_login(self, user: AuthUser, when: datetime) -> None: ...


class SessionStore(Protocol):
    """Server-side login sessions: a cookie authenticates only while its session exists."""

    def create(self, user: AuthUser, lifetime: timedelta, client: ClientInfo) -> str: ...
    def revoke(self, token: str) -> None: ...
    def revoke_all(self, user: AuthUser) -> None: ...


class SignInNotices(Protocol):
    """Tells an account's owner of a login from a browser that account has not used.

    ``wanted`` reads only what the loaded account already holds (no query): it is asked
    on every such login, before the session opens.
    """

    def wanted(self, user: AuthUser) -> bool: ...
    def send_new_device(self, user: AuthUser, notice: Notice) -> None: ...


class AccessTokenStore(Protocol):
    """Credentials other than sessions that open the account, such as API tokens.

    A password reset ends them with the sessions: a stolen token is exactly what a reset
    is meant to end.
    """

    def revoke_all(self, user_id: int) -> list[str]: ...


class PasswordHasher(Protocol):
    """Hashes and checks passwords."""

    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...
    def needs_rehash(self, password_hash: str) -> bool: ...
    def dummy_verify(self, password: str) -> None: ...


class PasswordRules(Protocol):
    """Decides whether a new password is acceptable."""

    def problems(self, password: str, username: str = "", email: str = "") -> list[str]: ...


class AccountMailer(Protocol):
    """Sends the account emails; each method sends exactly one message."""

    def send_activation(self, user: AuthUser, token: str) -> None: ...
    def send_welcome(self, user: AuthUser) -> None: ...
    def send_registration_attempt(self, user: AuthUser) -> None: ...
    def send_password_reset(self, user: AuthUser, token: str) -> None: ...
    def send_password_changed(
        self, user: AuthUser, notice: Notice, revoked_tokens: Sequence[str] = ()
    ) -> None: ...

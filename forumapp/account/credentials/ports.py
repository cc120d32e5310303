"""What the credentials services (password, email address, sessions) need from outside.

forumapp implements these over its SQLAlchemy tables
(:mod:`forumapp.account.credentials.stores`) and its mail machinery
(:mod:`forumapp.account.credentials.notices`); tests pass in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forumapp.auth.ports import AuthUser, Notice


@dataclass(frozen=True)
class DeviceSession:
    """One signed-in browser of a member, as the sessions page shows it."""

    id: int
    created_at: datetime
    last_seen_at: datetime | None
    address: str
    browser: str
    current: bool


@dataclass(frozen=True)
class StoredSession:
    """A live login session as stored: raw address and user agent."""

    id: int
    token_hash: str
    created_at: datetime
    last_seen_at: datetime | None
    ip_address: str
    user_agent: str


class DeviceSessionStore(Protocol):
    """The live login sessions of one member; ids belong to the store."""

    def live_sessions(self, user_id: int) -> list[StoredSession]: ...
    def end(self, user_id: int, session_id: int) -> bool: ...
    def end_all_except(self, user_id: int, token: str) -> int: ...


@dataclass(frozen=True)
class PendingEmailChange:
    """A requested change of address, found by one of its links."""

    user_id: int
    new_email: str
    old_email_key: str
    requested_at: datetime
    expires_at: datetime


class EmailChangeStore(Protocol):
    """Pending email changes, at most one per member, found by the digest of a link token."""

    def replace(
        self, user_id: int, change: PendingEmailChange, confirm_hash: str, cancel_hash: str
    ) -> None: ...
    def find(
        self, *, confirm_hash: str = "", cancel_hash: str = ""
    ) -> PendingEmailChange | None: ...
    def delete(self, user_id: int) -> None: ...


class EmailAccounts(Protocol):
    """Finds accounts by id or (case-insensitively) by address, and changes addresses."""

    def get(self, user_id: int) -> AuthUser | None: ...
    def find_by_email(self, email: str) -> AuthUser | None: ...
    def set_email(self, user: AuthUser, email: str) -> None: ...


class SecurityNotices(Protocol):
    """The emails of the credentials pages; each method sends exactly one message."""

    def send_password_changed(
        self, user: AuthUser, notice: Notice, revoked_tokens: Sequence[str]
    ) -> None: ...
    def send_email_confirmation(self, user: AuthUser, new_email: str, token: str) -> None: ...
    def send_email_change_requested(
        self, user: AuthUser, new_email: str, cancel_token: str, notice: Notice
    ) -> None: ...
    def send_address_in_use(self, owner: AuthUser, notice: Notice) -> None: ...
    def send_email_changed(self, user: AuthUser, old_email: str, notice: Notice) -> None: ...

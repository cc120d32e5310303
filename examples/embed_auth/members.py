"""The host's own user model and the stores the auth services use over it.

Members live in memory: the point is which ports the host implements
(:mod:`forumapp.auth.ports`), not how it stores them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from forumapp.auth.ports import AuthUser, ClientInfo, NewAccount


def now() -> datetime:
    """The current time, the clock the auth services are given."""
    return datetime.now(UTC)


@dataclass
class Member:
    """A member of the host application, also a Flask-Login user."""

    id: int
    username: str
    email: str
    password_hash: str
    language: str
    activated: bool = False
    is_banned: bool = False
    last_login: datetime | None = None
    session_token: str | None = None

    # Flask-Login's user interface; the session token is the id Flask-Login remembers, so
    # that revoking the session (logout, password reset) logs the member out everywhere.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def attach_session(self, token: str) -> None:
        """Remember which login session this member object was loaded for."""
        self.session_token = token

    def get_id(self) -> str | None:
        """The id Flask-Login keeps in the cookie."""
        return self.session_token


class MemberStore:
    """The host's members, found by id, username or email (case-insensitive)."""

    def __init__(self) -> None:
        self.members: dict[int, Member] = {}

    def get(self, user_id: int) -> Member | None:
        """The member with ``user_id``."""
        return self.members.get(user_id)

    def find_by_login(self, login: str) -> Member | None:
        """The member whose username or email is ``login``."""
        key = login.casefold()
        return next(
            (
                m
                for m in self.members.values()
                if key in (m.username.casefold(), m.email.casefold())
            ),
            None,
        )

    def find_by_email(self, email: str) -> Member | None:
        """The member whose email is ``email``."""
        key = email.casefold()
        return next((m for m in self.members.values() if m.email.casefold() == key), None)

    def username_taken(self, username: str) -> bool:
        """Whether a member already has ``username``."""
        key = username.casefold()
        return any(m.username.casefold() == key for m in self.members.values())

    def add(self, account: NewAccount) -> Member:
        """Create a member from a registration."""
        member = Member(
            id=len(self.members) + 1,
            username=account.username,
            email=account.email,
            password_hash=account.password_hash,
            language=account.language,
            activated=account.activated,
        )
        self.members[member.id] = member
        return member

    def set_password_hash(self, user: AuthUser, password_hash: str) -> None:
        """Store a new password hash."""
        self.members[user.id].password_hash = password_hash

    def set_activated(self, user: AuthUser) -> None:
        """Mark the member's email as confirmed."""
        self.members[user.id].activated = True

    def record_login(self, user: AuthUser, when: datetime) -> None:
        """Note a successful login."""
        self.members[user.id].last_login = when

    def record_failed_login(self, user: AuthUser, when: datetime) -> None:
        """Nothing to note: the auth blueprint's rate limits count failed logins."""


@dataclass
class LoginSessions:
    """Server-side login sessions: token -> (member id, expiry)."""

    sessions: dict[str, tuple[int, datetime]] = field(default_factory=dict)

    def create(self, user: AuthUser, lifetime: timedelta, client: ClientInfo) -> str:
        """Open a session for ``user`` and return its token."""
        token = secrets.token_urlsafe(32)
        self.sessions[token] = (user.id, now() + lifetime)
        return token

    def revoke(self, token: str) -> None:
        """End one session."""
        self.sessions.pop(token, None)

    def revoke_all(self, user: AuthUser) -> None:
        """End every session of ``user``."""
        for token in [t for t, (member_id, _) in self.sessions.items() if member_id == user.id]:
            del self.sessions[token]

    def member_id(self, token: str) -> int | None:
        """The member a live session belongs to."""
        entry = self.sessions.get(token)
        if entry is None or entry[1] <= now():
            return None
        return entry[0]


class NoTransaction:
    """The services commit and roll back; an in-memory store has nothing to do then."""

    def commit(self) -> None:
        """Nothing to commit."""

    def rollback(self) -> None:
        """Nothing to roll back."""

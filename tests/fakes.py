"""In-memory implementations of the auth ports, for service and view tests."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from forumapp.account.credentials.ports import PendingEmailChange, StoredSession
from forumapp.auth.ports import AuthUser, ClientInfo, NewAccount, Notice
from forumapp.auth.stores import hash_session_token


@dataclass
class FakeUser:
    """An account held in memory."""

    id: int
    username: str
    email: str
    password_hash: str
    activated: bool = True
    is_banned: bool = False
    language: str = "en"
    failed_logins: int = 0
    last_login: datetime | None = None
    session_token: str | None = None

    # Flask-Login's user interface, so an embedding app can log these users in.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def attach_session(self, token: str) -> None:
        self.session_token = token

    def get_id(self) -> str | None:
        return self.session_token


class InMemoryUserStore:
    """A user store over a dict; lookups are case-insensitive like the real one."""

    def __init__(self) -> None:
        self.users: dict[int, FakeUser] = {}

    def get(self, user_id: int) -> FakeUser | None:
        return self.users.get(user_id)

    def find_by_login(self, login: str) -> FakeUser | None:
        key = login.casefold()
        return next(
            (u for u in self.users.values() if key in (u.username.casefold(), u.email.casefold())),
            None,
        )

    def find_by_email(self, email: str) -> FakeUser | None:
        return next(
            (u for u in self.users.values() if u.email.casefold() == email.casefold()), None
        )

    def username_taken(self, username: str) -> bool:
        return any(u.username.casefold() == username.casefold() for u in self.users.values())

    def add(self, account: NewAccount) -> FakeUser:
        user = FakeUser(
            id=len(self.users) + 1,
            username=account.username,
            email=account.email,
            password_hash=account.password_hash,
            activated=account.activated,
            language=account.language,
        )
        self.users[user.id] = user
        return user

    def set_password_hash(self, user: AuthUser, password_hash: str) -> None:
        self.users[user.id].password_hash = password_hash

    def set_activated(self, user: AuthUser) -> None:
        self.users[user.id].activated = True

    def record_login(self, user: AuthUser, when: datetime) -> None:
        self.users[user.id].last_login = when
        self.users[user.id].failed_logins = 0

    def record_failed_login(self, user: AuthUser, when: datetime) -> None:
        self.users[user.id].failed_logins += 1


@dataclass
class InMemorySessionStore:
    """Login sessions in a dict: token -> (user id, expiry)."""

    clock: FixedClock
    sessions: dict[str, tuple[int, datetime]] = field(default_factory=dict)

    def create(self, user: AuthUser, lifetime: timedelta, client: ClientInfo) -> str:
        token = secrets.token_urlsafe(16)
        self.sessions[token] = (user.id, self.clock() + lifetime)
        return token

    def revoke(self, token: str) -> None:
        self.sessions.pop(token, None)

    def revoke_all(self, user: AuthUser) -> None:
        for token in [t for t, (uid, _) in self.sessions.items() if uid == user.id]:
            del self.sessions[token]

    def user_id(self, token: str) -> int | None:
        entry = self.sessions.get(token)
        if entry is None or entry[1] <= self.clock():
            return None
        return entry[0]


class InMemoryAccessTokens:
    """API token names per user id."""

    def __init__(self) -> None:
        self.tokens: dict[int, list[str]] = {}

    def revoke_all(self, user_id: int) -> list[str]:
        names, self.tokens[user_id] = sorted(self.tokens.get(user_id, [])), []
        return names


class FakeHasher:
    """A reversible "hash" that records how often each operation ran."""

    def __init__(self, rounds: int = 1) -> None:
        self.rounds = rounds
        self.calls: list[str] = []

    def hash(self, password: str) -> str:
        self.calls.append("hash")
        return f"fake${self.rounds}${password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append("verify")
        return password_hash.split("$", 2)[-1] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"fake${self.rounds}$")

    def dummy_verify(self, password: str) -> None:
        self.calls.append("verify")


@dataclass
class SentMail:
    """One email the recording mailer was asked to send."""

    kind: str
    to: str
    token: str | None = None
    revoked_tokens: tuple[str, ...] = ()


class RecordingMailer:
    """Records the account emails instead of sending them."""

    def __init__(self) -> None:
        self.sent: list[SentMail] = []

    def send_activation(self, user: AuthUser, token: str) -> None:
        self.sent.append(SentMail("activation", user.email, token))

    def send_welcome(self, user: AuthUser) -> None:
        self.sent.append(SentMail("welcome", user.email))

    def send_registration_attempt(self, user: AuthUser) -> None:
        self.sent.append(SentMail("registration_attempt", user.email))

    def send_password_reset(self, user: AuthUser, token: str) -> None:
        self.sent.append(SentMail("password_reset", user.email, token))

    def send_password_changed(
        self, user: AuthUser, notice: Notice, revoked_tokens: Sequence[str] = ()
    ) -> None:
        self.sent.append(SentMail("password_changed", user.email, None, tuple(revoked_tokens)))


class FakeTransaction:
    """Counts commits and rollbacks."""

    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class InMemoryEmailAccounts(InMemoryUserStore):
    """A user store whose addresses can change (the email change service's port)."""

    def set_email(self, user: AuthUser, email: str) -> None:
        self.users[user.id].email = email


@dataclass
class SentNotice:
    """One credentials email the recording notices were asked to send."""

    kind: str
    to: str
    token: str | None = None
    notice: Notice | None = None


class RecordingNotices:
    """Records the credentials emails instead of sending them."""

    def __init__(self) -> None:
        self.sent: list[SentNotice] = []

    def send_password_changed(
        self, user: AuthUser, notice: Notice, revoked_tokens: Sequence[str]
    ) -> None:
        self.sent.append(
            SentNotice("password_changed", user.email, ",".join(revoked_tokens), notice)
        )

    def send_email_confirmation(self, user: AuthUser, new_email: str, token: str) -> None:
        self.sent.append(SentNotice("confirm_email", new_email, token))

    def send_email_change_requested(
        self, user: AuthUser, new_email: str, cancel_token: str, notice: Notice
    ) -> None:
        self.sent.append(SentNotice("email_change_requested", user.email, cancel_token, notice))

    def send_address_in_use(self, owner: AuthUser, notice: Notice) -> None:
        self.sent.append(SentNotice("address_in_use", owner.email, None, notice))

    def send_email_changed(self, user: AuthUser, old_email: str, notice: Notice) -> None:
        self.sent.append(SentNotice("email_changed", old_email, None, notice))


class InMemoryEmailChanges:
    """Pending email changes by member id, with the digests of their link tokens."""

    def __init__(self) -> None:
        self.changes: dict[int, tuple[PendingEmailChange, str, str]] = {}

    def replace(
        self, user_id: int, change: PendingEmailChange, confirm_hash: str, cancel_hash: str
    ) -> None:
        self.changes[user_id] = (change, confirm_hash, cancel_hash)

    def find(self, *, confirm_hash: str = "", cancel_hash: str = "") -> PendingEmailChange | None:
        for change, confirm, cancel in self.changes.values():
            if (confirm_hash and confirm == confirm_hash) or (
                cancel_hash and cancel == cancel_hash
            ):
                return change
        return None

    def delete(self, user_id: int) -> None:
        self.changes.pop(user_id, None)


class InMemoryDeviceSessions:
    """Stored login sessions in a list, as the sessions page's port sees them."""

    def __init__(self) -> None:
        self.sessions: list[tuple[int, StoredSession]] = []

    def add(self, user_id: int, token: str, user_agent: str = "", ip_address: str = "") -> int:
        session_id = len(self.sessions) + 1
        when = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
        stored = StoredSession(
            session_id, hash_session_token(token), when, when, ip_address, user_agent
        )
        self.sessions.append((user_id, stored))
        return session_id

    def live_sessions(self, user_id: int) -> list[StoredSession]:
        return [stored for owner, stored in self.sessions if owner == user_id]

    def end(self, user_id: int, session_id: int) -> bool:
        kept = [(o, s) for o, s in self.sessions if not (o == user_id and s.id == session_id)]
        ended = len(kept) < len(self.sessions)
        self.sessions = kept
        return ended

    def end_all_except(self, user_id: int, token: str) -> int:
        keep = hash_session_token(token)
        kept = [(o, s) for o, s in self.sessions if o != user_id or s.token_hash == keep]
        ended = len(self.sessions) - len(kept)
        self.sessions = kept
        return ended


class RecordingEvents:
    """An :class:`forumapp.events.Events` that keeps what it is told, in order."""

    def __init__(self) -> None:
        self.told: list[object] = []

    def user_registered(self, event: object) -> None:
        self.told.append(event)

    def topic_created(self, event: object) -> None:
        self.told.append(event)

    def post_saved(self, event: object) -> None:
        self.told.append(event)

    def member_banned(self, event: object) -> None:
        self.told.append(event)

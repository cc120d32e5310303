"""SQLAlchemy implementations of the auth ports for forumapp's own user tables."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import delete, exists, or_, select, update

from forumapp.auth.models import AuthSession
from forumapp.auth.ports import AuthUser, ClientInfo, NewAccount
from forumapp.persistence import DbSession, atomic
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User, email_key, username_key


def _user(user: AuthUser) -> User:
    # The services hand back the objects this store gave them.
    return cast(User, user)


class SqlUserStore:
    """Accounts in the ``users`` table; lookups go through the case-folded key columns."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def get(self, user_id: int) -> User | None:
        return self._session.get(User, user_id)

    def find_by_login(self, login: str) -> User | None:
        return self._session.scalar(
            select(User).where(
                or_(User.username_key == username_key(login), User.email_key == email_key(login))
            )
        )

    def find_by_email(self, email: str) -> User | None:
        return self._session.scalar(select(User).where(User.email_key == email_key(email)))

    def username_taken(self, username: str) -> bool:
        return bool(
            self._session.scalar(
                select(exists().where(User.username_key == username_key(username)))
            )
        )

    def add(self, account: NewAccount) -> User:
        member_group = self._session.scalar(select(Group.id).where(Group.key == GroupKey.MEMBER))
        if member_group is None:
            raise LookupError("The built-in Member group is missing; run `forumapp db upgrade`.")
        user = User(
            username=account.username,
            username_key=username_key(account.username),
            email=account.email,
            email_key=email_key(account.email),
            password_hash=account.password_hash,
            language=account.language,
            activated=account.activated,
            date_joined=account.joined,
            group_id=member_group,
        )
        self._session.add(user)
        self._session.flush()
        return user

    def set_password_hash(self, user: AuthUser, password_hash: str) -> None:
        _user(user).password_hash = password_hash

    def set_activated(self, user: AuthUser) -> None:
        _user(user).activated = True

    def record_login(self, user: AuthUser, when: datetime) -> None:
        model = _user(user)
        model.last_login = when
        model.login_attempts = 0

    def record_failed_login(self, user: AuthUser, when: datetime) -> None:
        # An increment in SQL: simultaneous failures in several workers must all count.
        self._session.execute(
            update(User)
            .where(User.id == user.id)
            .values(last_failed_login=when, login_attempts=User.login_attempts + 1)
        )


#: How stale a session's ``last_seen_at`` may get before a request writes it again: the
#: sessions page needs "recently", and a write per request would serialise every page view.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def hash_session_token(token: str) -> str:
    """The form in which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SqlSessionStore:
    """Login sessions in the ``auth_sessions`` table."""

    def __init__(self, session: DbSession, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def create(self, user: AuthUser, lifetime: timedelta, client: ClientInfo) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        self._session.add(
            AuthSession(
                user_id=user.id,
                token_hash=hash_session_token(token),
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime,
                ip_address=client.ip_address[:45],
                user_agent=client.user_agent[:255],
            )
        )
        return token

    def revoke(self, token: str) -> None:
        self._session.execute(
            delete(AuthSession).where(AuthSession.token_hash == hash_session_token(token))
        )

    def revoke_all(self, user: AuthUser) -> None:
        self._session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))

    def load_user(self, token: str) -> User | None:
        """The user of a live session, with the token attached; ``None`` when it ended.

        Notes when the session was last used, at most once per :data:`LAST_SEEN_RESOLUTION`.
        """
        now = self._clock()
        row = self._session.execute(
            select(User, AuthSession.id, AuthSession.last_seen_at)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(
                AuthSession.token_hash == hash_session_token(token),
                AuthSession.expires_at > now,
            )
        ).first()
        if row is None:
            return None
        user, session_id, last_seen_at = row
        cutoff = now - LAST_SEEN_RESOLUTION
        if last_seen_at is None or last_seen_at < cutoff:
            self._touch(session_id, now, cutoff)
        user.attach_session(token)
        return user

    def _touch(self, session_id: int, now: datetime, cutoff: datetime) -> None:
        # The condition is repeated in SQL: of simultaneous requests, one writes.
        with atomic(self._session):
            self._session.execute(
                update(AuthSession)
                .where(
                    AuthSession.id == session_id,
                    or_(AuthSession.last_seen_at.is_(None), AuthSession.last_seen_at < cutoff),
                )
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )

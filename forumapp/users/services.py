"""Account administration that does not go through the web forms (the CLI)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import exists, or_, select

from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession, atomic
from forumapp.users.groups import GroupKey
from forumapp.users.models import (
    USERNAME_MAX_LENGTH,
    USERNAME_PATTERN,
    Group,
    User,
    email_key,
    username_key,
)
from forumapp.users.passwords import Argon2Hasher, PasswordPolicy


class AccountError(ValueError):
    """The account cannot be created; the message says why and ``field`` names the form
    field at fault (``None`` when no single field is)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AdminAccounts:
    """Creates administrator accounts and tells whether one exists."""

    def __init__(
        self,
        session: DbSession,
        hasher: Argon2Hasher,
        policy: PasswordPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self._session = session
        self._hasher = hasher
        self._policy = policy
        self._clock = clock

    def has_admin(self) -> bool:
        """Whether any account belongs to an administrator group."""
        query = select(exists().where(User.group_id == Group.id, Group.admin))
        return bool(self._session.scalar(query))

    def create_admin(self, username: str, email: str, password: str) -> User:
        """Create an activated administrator, or raise :class:`AccountError`."""
        user = self.new_admin(username, email, password)
        with atomic(self._session):
            self._session.add(user)
        return user

    def new_admin(self, username: str, email: str, password: str) -> User:
        """An activated administrator, checked but not yet added to the session, for a
        caller that saves it in a transaction of its own; or raise :class:`AccountError`."""
        username = username.strip()
        if not (3 <= len(username) <= USERNAME_MAX_LENGTH and re.match(USERNAME_PATTERN, username)):
            raise AccountError(
                _l(
                    "The username must be 3 to %(max)s letters, digits or . _ -",
                    max=USERNAME_MAX_LENGTH,
                ),
                "username",
            )
        try:
            email = validate_email(email.strip(), check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise AccountError(
                # Made text here: the reason can quote what was typed, which pages must escape.
                str(_l("The email address is not valid: %(reason)s", reason=str(exc))),
                "email",
            ) from exc
        problems = self._policy.problems(password, username, email)
        if problems:
            raise AccountError(" ".join(str(problem) for problem in problems), "password")
        taken = select(
            exists().where(
                or_(User.username_key == username_key(username), User.email_key == email_key(email))
            )
        )
        if self._session.scalar(taken):
            raise AccountError(_l("An account with this username or email address already exists."))
        group_id = self._session.scalar(select(Group.id).where(Group.key == GroupKey.ADMIN))
        if group_id is None:
            raise AccountError("The Administrator group is missing; run `forumapp db upgrade`.")
        return User(
            username=username,
            username_key=username_key(username),
            email=email,
            email_key=email_key(email),
            password_hash=self._hasher.hash(password),
            activated=True,
            group_id=group_id,
            date_joined=self._clock(),
        )

"""Changing the password from the settings page, knowing the current one."""

from __future__ import annotations

from forumapp.account.credentials.ports import SecurityNotices
from forumapp.auth.agents import notice_for
from forumapp.auth.exceptions import StopValidation, ValidationError
from forumapp.auth.ports import (
    AccessTokenStore,
    AuthUser,
    ClientInfo,
    PasswordHasher,
    PasswordRules,
    SessionStore,
    UserStore,
)
from forumapp.auth.services import WRONG_PASSWORD, AuthSettings, Clock
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import Transaction, atomic

SAME_PASSWORD = _l("Choose a password different from your current one.")


class PasswordChanger:
    """Sets a new password and ends everything the old one opened.

    Every login session of the member ends, this browser's included: it gets a new session
    (the old token, and any copy of its cookie, stops working). API tokens are revoked
    (``access_tokens``, when the app has them), and the address on file gets a notice.
    """

    def __init__(
        self,
        users: UserStore,
        sessions: SessionStore,
        hasher: PasswordHasher,
        rules: PasswordRules,
        notices: SecurityNotices,
        transaction: Transaction,
        settings: AuthSettings,
        clock: Clock,
        access_tokens: AccessTokenStore | None = None,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._hasher = hasher
        self._rules = rules
        self._notices = notices
        self._transaction = transaction
        self._settings = settings
        self._clock = clock
        self._access_tokens = access_tokens

    def change(
        self,
        user: AuthUser,
        current_password: str,
        new_password: str,
        *,
        client: ClientInfo,
        remember: bool,
    ) -> str:
        """Change the password and return the token of this browser's new session, or
        raise :class:`StopValidation` naming the ``current_password`` or ``password`` field."""
        if not self._hasher.verify(user.password_hash, current_password):
            raise StopValidation([ValidationError("current_password", WRONG_PASSWORD)])
        problems = self._rules.problems(new_password, user.username, user.email)
        if new_password == current_password:
            problems.insert(0, SAME_PASSWORD)
        if problems:
            raise StopValidation([ValidationError("password", problem) for problem in problems])
        password_hash = self._hasher.hash(new_password)
        lifetime = self._settings.remember_lifetime if remember else self._settings.session_lifetime
        with atomic(self._transaction):
            self._users.set_password_hash(user, password_hash)
            self._sessions.revoke_all(user)
            token = self._sessions.create(user, lifetime, client)
            revoked = self._access_tokens.revoke_all(user.id) if self._access_tokens else []
        self._notices.send_password_changed(user, notice_for(client, self._clock()), revoked)
        return token

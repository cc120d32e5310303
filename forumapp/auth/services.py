"""The auth services: plain classes, wired by :mod:`forumapp.auth.factories`.

They never touch Flask's request, session, flash or current_user; the views translate
between HTTP and these calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from forumapp.auth.exceptions import StopAuthentication, StopValidation, TokenError, ValidationError
from forumapp.auth.ports import (
    AccessTokenStore,
    AccountMailer,
    AuthUser,
    ClientInfo,
    NewAccount,
    PasswordHasher,
    PasswordRules,
    SessionStore,
    UserStore,
)
from forumapp.auth.tokens import TokenPurpose, TokenService
from forumapp.persistence import PersistenceError, Transaction, atomic

WRONG_CREDENTIALS = "Wrong username, email address or password."
WRONG_PASSWORD = "Wrong password."
NOT_ACTIVATED = (
    "Your account is not activated yet. Follow the link in the activation email, "
    "or request a new one."
)
BANNED = "This account is banned."
USERNAME_TAKEN = "This username is already taken."
ALREADY_ACTIVE = "This account is already activated."

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class AuthSettings:
    """The configuration values the auth services read."""

    activation_required: bool
    session_lifetime: timedelta
    remember_lifetime: timedelta
    reset_token_max_age: int
    activation_token_max_age: int


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the user and the token of their new server-side session."""

    user: AuthUser
    session_token: str


class _PasswordChecker:
    """Verifies a user's password, counts failures, and upgrades outdated hashes."""

    def __init__(
        self, users: UserStore, hasher: PasswordHasher, transaction: Transaction, clock: Clock
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._transaction = transaction
        self._clock = clock

    def check(self, user: AuthUser, password: str) -> bool:
        ok = self._hasher.verify(user.password_hash, password)
        with atomic(self._transaction):
            if not ok:
                self._users.record_failed_login(user, self._clock())
            elif self._hasher.needs_rehash(user.password_hash):
                self._users.set_password_hash(user, self._hasher.hash(password))
        return ok


class AuthenticationManager:
    """Checks credentials and opens and closes server-side login sessions."""

    def __init__(
        self,
        users: UserStore,
        sessions: SessionStore,
        hasher: PasswordHasher,
        transaction: Transaction,
        settings: AuthSettings,
        clock: Clock,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._hasher = hasher
        self._transaction = transaction
        self._settings = settings
        self._clock = clock
        self._passwords = _PasswordChecker(users, hasher, transaction, clock)

    def login(
        self, login: str, password: str, *, remember: bool, client: ClientInfo
    ) -> LoginResult:
        """Open a session for the account named by username or email, or raise
        :class:`StopAuthentication` with one message for every kind of wrong credential."""
        user = self._users.find_by_login(login)
        if user is None:
            self._hasher.dummy_verify(password)
            raise StopAuthentication(WRONG_CREDENTIALS)
        if not self._passwords.check(user, password):
            raise StopAuthentication(WRONG_CREDENTIALS)
        if self._settings.activation_required and not user.activated:
            raise StopAuthentication(NOT_ACTIVATED)
        if user.is_banned:
            raise StopAuthentication(BANNED)
        lifetime = self._settings.remember_lifetime if remember else self._settings.session_lifetime
        with atomic(self._transaction):
            self._users.record_login(user, self._clock())
            token = self._sessions.create(user, lifetime, client)
        return LoginResult(user, token)

    def logout(self, session_token: str | None) -> None:
        """End one server-side session; copies of its cookies stop working."""
        if not session_token:
            return
        with atomic(self._transaction):
            self._sessions.revoke(session_token)


class ReauthenticationManager:
    """Confirms the password of someone already logged in, before sensitive actions."""

    def __init__(
        self, users: UserStore, hasher: PasswordHasher, transaction: Transaction, clock: Clock
    ) -> None:
        self._passwords = _PasswordChecker(users, hasher, transaction, clock)

    def reauthenticate(self, user: AuthUser, password: str) -> None:
        """Return when ``password`` is the user's; raise :class:`StopAuthentication` otherwise."""
        if not self._passwords.check(user, password):
            raise StopAuthentication(WRONG_PASSWORD)


@dataclass(frozen=True)
class Registration:
    """What a person submits to create an account."""

    username: str
    email: str
    password: str
    language: str


class RegistrationService:
    """Creates accounts without revealing which email addresses are registered."""

    def __init__(
        self,
        users: UserStore,
        hasher: PasswordHasher,
        rules: PasswordRules,
        tokens: TokenService,
        mailer: AccountMailer,
        transaction: Transaction,
        settings: AuthSettings,
        clock: Clock,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._rules = rules
        self._tokens = tokens
        self._mailer = mailer
        self._transaction = transaction
        self._settings = settings
        self._clock = clock

    def register(self, registration: Registration) -> None:
        """Create the account and email its owner, or raise :class:`StopValidation`.

        An address that already has an account gets a "someone tried to register"
        email instead, and the caller sees the same outcome as for a new address.
        """
        reasons = [
            ValidationError("password", problem)
            for problem in self._rules.problems(
                registration.password, registration.username, registration.email
            )
        ]
        if self._users.username_taken(registration.username):
            reasons.insert(0, ValidationError("username", USERNAME_TAKEN))
        if reasons:
            raise StopValidation(reasons)
        # Hash before looking at the email so both outcomes cost the same time.
        password_hash = self._hasher.hash(registration.password)
        existing = self._users.find_by_email(registration.email)
        if existing is not None:
            self._mailer.send_registration_attempt(existing)
            return
        account = NewAccount(
            username=registration.username,
            email=registration.email,
            password_hash=password_hash,
            language=registration.language,
            activated=not self._settings.activation_required,
            joined=self._clock(),
        )
        try:
            with atomic(self._transaction):
                user = self._users.add(account)
        except PersistenceError as exc:
            # Lost a race with another registration of the same username.
            raise StopValidation([ValidationError("username", USERNAME_TAKEN)]) from exc
        if user.activated:
            self._mailer.send_welcome(user)
        else:
            self._mailer.send_activation(
                user, self._tokens.issue(TokenPurpose.ACTIVATE_ACCOUNT, user)
            )


class PasswordResetService:
    """Emails reset links and sets a new password from a valid link.

    ``access_tokens``, when given, are the account's other credentials (API tokens): a
    reset revokes them together with the sessions.
    """

    def __init__(
        self,
        users: UserStore,
        sessions: SessionStore,
        hasher: PasswordHasher,
        rules: PasswordRules,
        tokens: TokenService,
        mailer: AccountMailer,
        transaction: Transaction,
        settings: AuthSettings,
        access_tokens: AccessTokenStore | None = None,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._hasher = hasher
        self._rules = rules
        self._tokens = tokens
        self._mailer = mailer
        self._transaction = transaction
        self._settings = settings
        self._access_tokens = access_tokens

    def request_reset(self, email: str) -> None:
        """Email a reset link if ``email`` has an account; do nothing visible otherwise."""
        user = self._users.find_by_email(email)
        if user is not None:
            self._mailer.send_password_reset(
                user, self._tokens.issue(TokenPurpose.RESET_PASSWORD, user)
            )

    def check_token(self, token: str) -> AuthUser:
        """The user a reset token belongs to; :class:`TokenError` when it is not usable."""
        return self._tokens.verify(
            TokenPurpose.RESET_PASSWORD, token, self._settings.reset_token_max_age, self._users.get
        )

    def reset_password(self, token: str, password: str) -> AuthUser:
        """Set the new password, end every session and API token of the account, and
        tell its owner (naming the tokens that stopped working)."""
        user = self.check_token(token)
        problems = self._rules.problems(password, user.username, user.email)
        if problems:
            raise StopValidation([ValidationError("password", problem) for problem in problems])
        password_hash = self._hasher.hash(password)
        with atomic(self._transaction):
            self._users.set_password_hash(user, password_hash)
            # The link reached the account's inbox, which is what activation proves too.
            if not user.activated:
                self._users.set_activated(user)
            self._sessions.revoke_all(user)
            revoked = self._access_tokens.revoke_all(user.id) if self._access_tokens else []
        self._mailer.send_password_changed(user, revoked)
        return user


class AccountActivator:
    """Emails activation links and activates accounts from them."""

    def __init__(
        self,
        users: UserStore,
        tokens: TokenService,
        mailer: AccountMailer,
        transaction: Transaction,
        settings: AuthSettings,
    ) -> None:
        self._users = users
        self._tokens = tokens
        self._mailer = mailer
        self._transaction = transaction
        self._settings = settings

    def request_activation(self, email: str) -> None:
        """Email a new link if ``email`` has an account waiting for activation."""
        user = self._users.find_by_email(email)
        if user is not None and not user.activated:
            self._mailer.send_activation(
                user, self._tokens.issue(TokenPurpose.ACTIVATE_ACCOUNT, user)
            )

    def activate(self, token: str) -> AuthUser:
        """Activate the account a valid token was issued for; it cannot be used again."""
        user = self._tokens.verify(
            TokenPurpose.ACTIVATE_ACCOUNT,
            token,
            self._settings.activation_token_max_age,
            self._users.get,
        )
        if user.activated:
            raise TokenError(ALREADY_ACTIVE)
        with atomic(self._transaction):
            self._users.set_activated(user)
        return user

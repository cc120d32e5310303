"""The auth services: plain classes, wired by :mod:`forumapp.auth.factories`.

They never touch Flask's request, session, flash or current_user; the views translate
between HTTP and these calls.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import NoReturn

from forumapp.auth.agents import notice_for
from forumapp.auth.exceptions import (
    SecondStepExpired,
    StopAuthentication,
    StopValidation,
    TokenError,
    ValidationError,
)
from forumapp.auth.ports import (
    AccessTokenStore,
    AccountMailer,
    AuthUser,
    ClientInfo,
    NewAccount,
    PasswordHasher,
    PasswordRules,
    SessionStore,
    SignInNotices,
    UserStore,
)
from forumapp.auth.second_factor.ports import (
    Challenge,
    ChallengeStore,
    CodeProof,
    LoginAttempt,
    LoginHistory,
    LoginOutcome,
    PasskeyChallenger,
    PasskeyFactor,
    PasskeyProof,
    PendingLogin,
    Proof,
    SecondFactor,
)
from forumapp.auth.tokens import TokenPurpose, TokenService
from forumapp.events import NO_EVENTS, Events, MemberRegistered
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import PersistenceError, Transaction, atomic

WRONG_CREDENTIALS = _l("Wrong username, email address or password.")
WRONG_PASSWORD = _l("Wrong password.")
NOT_ACTIVATED = _l(
    "Your account is not activated yet. Follow the link in the activation email, "
    "or request a new one."
)
BANNED = _l("This account is banned.")
USERNAME_TAKEN = _l("This username is already taken.")
ALREADY_ACTIVE = _l("This account is already activated.")
WRONG_CODE = _l("That code is not right. Enter the current code from your app, or a recovery code.")
WRONG_PASSKEY = _l("That passkey did not check out. Try it again, or enter a code.")
#: The same for a passkey of no account, of a closed one, or one that failed its check.
PASSKEY_NOT_RECOGNISED = _l(
    "That passkey did not sign you in. Try it again, or log in with your password."
)
#: The login history's method of a sign-in with a passkey alone (no password).
PASSWORDLESS = "passwordless"
LOGIN_EXPIRED = _l("Your login has expired or was already completed. Please log in again.")
CODE_NEEDED = _l("Enter the code from your authenticator app, or a recovery code.")
#: A passkey answer refused when the password is already confirmed (no code to fall back on).
PASSKEY_REFUSED = _l("That passkey did not check out. Try it again.")
PASSKEY_NEEDED = _l("Confirm with your passkey: type your password, then choose “Use a passkey”.")

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class AuthSettings:
    """The configuration values the auth services read."""

    activation_required: bool
    session_lifetime: timedelta
    remember_lifetime: timedelta
    reset_token_max_age: int
    activation_token_max_age: int
    #: How long a login may wait for its second step.
    second_step_lifetime: timedelta = timedelta(minutes=5)
    #: Wrong codes one pending login takes before it ends (the password is asked again).
    second_step_attempts: int = 5


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the user and the token of their new server-side session."""

    user: AuthUser
    session_token: str
    #: Whether the session outlives the browser ("keep me logged in").
    remember: bool = False


class _PasswordChecker:
    """Verifies a user's password, counts failures, and upgrades outdated hashes."""

    def __init__(
        self, users: UserStore, hasher: PasswordHasher, transaction: Transaction, clock: Clock
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._transaction = transaction
        self._clock = clock

    def check(
        self, user: AuthUser, password: str, on_failure: Callable[[], None] | None = None
    ) -> bool:
        ok = self._hasher.verify(user.password_hash, password)
        with atomic(self._transaction):
            if not ok:
                self._users.record_failed_login(user, self._clock())
                if on_failure is not None:
                    on_failure()
            elif self._hasher.needs_rehash(user.password_hash):
                self._users.set_password_hash(user, self._hasher.hash(password))
        return ok


class AuthenticationManager:
    """Checks credentials and opens and closes server-side login sessions.

    With a ``second_factor``, an account that has one logs in in two steps: the password
    opens a pending login in ``challenges`` (no session yet), and
    :meth:`complete_second_step` opens the session. With a ``history``, every attempt on
    an existing account is recorded for its owner.

    With ``sign_in_notices``, the owner is emailed after a login from a *new device*:
    a browser whose device cookie (:mod:`forumapp.auth.devices`) does not name the
    account, the caller passing the accounts it names as ``known_accounts``. That
    cookie is set by each login and finished password reset in that browser and lasts
    ``AUTH_TRUSTED_DEVICE_DAYS``, so "new" means: this account has not logged in from
    this browser within that time. The ``User-Agent`` is not used: the sender chooses
    it, and a thief's copy of the owner's browser would pass for the owner's. Logins
    from known browsers, the common path, cost nothing extra.
    """

    def __init__(
        self,
        users: UserStore,
        sessions: SessionStore,
        hasher: PasswordHasher,
        transaction: Transaction,
        settings: AuthSettings,
        clock: Clock,
        *,
        second_factor: SecondFactor | None = None,
        challenges: ChallengeStore | None = None,
        history: LoginHistory | None = None,
        passkeys: PasskeyChallenger | None = None,
        sign_in_notices: SignInNotices | None = None,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._hasher = hasher
        self._transaction = transaction
        self._settings = settings
        self._clock = clock
        self._passwords = _PasswordChecker(users, hasher, transaction, clock)
        self._second_factor = second_factor
        self._challenges = challenges
        self._history = history
        self._passkeys = passkeys
        self._sign_in_notices = sign_in_notices

    def login(
        self,
        login: str,
        password: str,
        *,
        remember: bool,
        client: ClientInfo,
        known_accounts: Collection[int] = (),
    ) -> LoginResult | PendingLogin:
        """Open a session for the account named by username or email, or a pending login
        when its second step is due; or raise :class:`StopAuthentication` with one message
        for every kind of wrong credential."""
        user = self._users.find_by_login(login)
        if user is None:
            self._hasher.dummy_verify(password)
            raise StopAuthentication(WRONG_CREDENTIALS)
        failed = partial(self._record, user, client, LoginOutcome.FAILURE)
        if not self._passwords.check(user, password, on_failure=failed):
            raise StopAuthentication(WRONG_CREDENTIALS)
        if self._settings.activation_required and not user.activated:
            self._refuse(user, client, NOT_ACTIVATED)
        if user.is_banned:
            self._refuse(user, client, BANNED)
        if self._challenges is not None and self._second_step_due(user):
            expires = self._clock() + self._settings.second_step_lifetime
            with atomic(self._transaction):
                token = self._challenges.open(user.id, remember, expires)
            return PendingLogin(token, user.id)
        notify = self._new_device(user, known_accounts)
        with atomic(self._transaction):
            token = self._open_session(user, remember, client, None)
        # After the commit: a login that rolled back is not news.
        if notify:
            self._send_new_device(user, client)
        return LoginResult(user, token, remember)

    def offers_passkey(self, pending: str) -> bool:
        """Whether the pending login's account can answer its second step with a passkey."""
        found = self._pending(pending) if self._passkeys is not None else None
        return (
            found is not None
            and self._passkeys is not None
            and self._passkeys.enabled_for(found[1])
        )

    def passkey_options(self, pending: str) -> str:
        """The options (JSON) of a passkey answer to the pending login's second step; or
        :class:`SecondStepExpired` when the login is gone."""
        found = self._pending(pending)
        if found is None or self._passkeys is None or not self._passkeys.enabled_for(found[1]):
            raise SecondStepExpired(LOGIN_EXPIRED)
        return self._passkeys.authentication_options(found[1])

    def _pending(self, pending: str) -> tuple[Challenge, AuthUser] | None:
        if self._challenges is None or self._second_factor is None:
            return None
        challenge = self._challenges.find(pending, self._clock())
        user = self._users.get(challenge.user_id) if challenge is not None else None
        return (challenge, user) if challenge is not None and user is not None else None

    def complete_second_step(
        self,
        pending: str,
        proof: Proof | str,
        *,
        client: ClientInfo,
        known_accounts: Collection[int] = (),
    ) -> LoginResult:
        """Open the session of a pending login once ``proof`` (a typed code, or a passkey's
        answer) proves the second factor.

        The pending login works once, for ``second_step_lifetime``, and for at most
        ``second_step_attempts`` wrong proofs; :class:`StopAuthentication` otherwise.
        """
        found = self._pending(pending)
        if found is None or self._challenges is None or self._second_factor is None:
            raise SecondStepExpired(LOGIN_EXPIRED)
        challenge, user = found
        token = ""
        notify = self._new_device(user, known_accounts)
        with atomic(self._transaction):
            method = self._second_factor.check(
                user, CodeProof(proof) if isinstance(proof, str) else proof
            )
            if method is None:
                self._record(user, client, LoginOutcome.SECOND_FACTOR_FAILED)
                if challenge.failures + 1 >= self._settings.second_step_attempts:
                    self._challenges.close(challenge)
                else:
                    self._challenges.count_failure(challenge)
            elif self._challenges.close(challenge):
                token = self._open_session(user, challenge.remember, client, method)
            else:
                # Another request completed this login first: its code spent nothing here.
                raise SecondStepExpired(LOGIN_EXPIRED)
        if method is None:
            raise StopAuthentication(
                WRONG_PASSKEY if isinstance(proof, PasskeyProof) else WRONG_CODE
            )
        self._second_factor.after_use(user, method, client)
        if notify:
            self._send_new_device(user, client)
        return LoginResult(user, token, challenge.remember)

    def offers_passkey_sign_in(self) -> bool:
        """Whether a passkey alone can sign in (the app has passkeys at all)."""
        return self._passkeys is not None

    def passkey_sign_in_options(self) -> str:
        """The options (JSON) of a sign-in with a passkey alone."""
        if self._passkeys is None:
            raise StopAuthentication(PASSKEY_NOT_RECOGNISED)
        return self._passkeys.sign_in_options()

    def login_with_passkey(self, answer: str, *, client: ClientInfo) -> LoginResult:
        """Open a session for the member whose passkey signed ``answer`` (the passkey is
        both factors: something they have, unlocked by something they are or know); or
        raise :class:`StopAuthentication` with one message for every kind of failure."""
        if self._passkeys is None:
            raise StopAuthentication(PASSKEY_NOT_RECOGNISED)
        with atomic(self._transaction):
            user_id = self._passkeys.identify(answer)
        user = self._users.get(user_id) if user_id is not None else None
        if user is None:
            raise StopAuthentication(PASSKEY_NOT_RECOGNISED)
        if self._settings.activation_required and not user.activated:
            self._refuse(user, client, NOT_ACTIVATED)
        if user.is_banned:
            self._refuse(user, client, BANNED)
        with atomic(self._transaction):
            token = self._open_session(user, False, client, PASSWORDLESS)
        return LoginResult(user, token, False)

    def logout(self, session_token: str | None) -> None:
        """End one server-side session; copies of its cookies stop working."""
        if not session_token:
            return
        with atomic(self._transaction):
            self._sessions.revoke(session_token)

    def _refuse(self, user: AuthUser, client: ClientInfo, reason: str) -> NoReturn:
        # The password was right, yet no login: the owner sees it as a failed attempt.
        if self._history is not None:
            with atomic(self._transaction):
                self._record(user, client, LoginOutcome.FAILURE)
        raise StopAuthentication(reason)

    def _new_device(self, user: AuthUser, known_accounts: Collection[int]) -> bool:
        # Asked before the session opens: forumapp's answer reads the previous login.
        return (
            self._sign_in_notices is not None
            and user.id not in known_accounts
            and self._sign_in_notices.wanted(user)
        )

    def _send_new_device(self, user: AuthUser, client: ClientInfo) -> None:
        if self._sign_in_notices is not None:
            self._sign_in_notices.send_new_device(user, notice_for(client, self._clock()))

    def _second_step_due(self, user: AuthUser) -> bool:
        return self._second_factor is not None and self._second_factor.enabled_for(user)

    def _open_session(
        self, user: AuthUser, remember: bool, client: ClientInfo, second_factor: str | None
    ) -> str:
        lifetime = self._settings.remember_lifetime if remember else self._settings.session_lifetime
        self._users.record_login(user, self._clock())
        self._record(user, client, LoginOutcome.SUCCESS, second_factor)
        return self._sessions.create(user, lifetime, client)

    def _record(
        self,
        user: AuthUser,
        client: ClientInfo,
        outcome: LoginOutcome,
        second_factor: str | None = None,
    ) -> None:
        if self._history is not None:
            self._history.record(
                LoginAttempt(user.id, self._clock(), client, outcome, second_factor)
            )


class ReauthenticationManager:
    """Confirms the password of someone already logged in, before sensitive actions, and
    the second factor too where the account has one: a code from the authenticator app
    (or a recovery code), or an answer from one of the member's passkeys."""

    def __init__(
        self,
        users: UserStore,
        hasher: PasswordHasher,
        transaction: Transaction,
        clock: Clock,
        *,
        second_factor: SecondFactor | None = None,
        passkeys: PasskeyFactor | None = None,
    ) -> None:
        self._passwords = _PasswordChecker(users, hasher, transaction, clock)
        self._transaction = transaction
        self._second_factor = second_factor
        self._passkeys = passkeys

    def needs_code(self, user: AuthUser) -> bool:
        """Whether the confirmation can take a code (the account has an authenticator app)."""
        return self._second_factor is not None and self._second_factor.enabled_for(user)

    def offers_passkey(self, user: AuthUser) -> bool:
        """Whether the confirmation can take a passkey (the account has one)."""
        return self._passkeys is not None and self._passkeys.enabled_for(user)

    def passkey_options(self, user: AuthUser) -> str:
        """The options (JSON) for the browser to prove ``user`` holds one of their
        passkeys; :class:`StopAuthentication` for an account without one."""
        if self._passkeys is None or not self._passkeys.enabled_for(user):
            raise StopAuthentication(PASSKEY_REFUSED)
        return self._passkeys.authentication_options(user)

    def reauthenticate(
        self,
        user: AuthUser,
        password: str,
        code: str = "",
        *,
        answer: str = "",
        client: ClientInfo,
    ) -> None:
        """Return when ``password`` is the user's and, where a second factor is on, ``code``
        or a passkey's ``answer`` proves it; raise :class:`StopAuthentication` otherwise.
        ``client`` is who asks, for the notice a spent recovery code sends."""
        if not self._passwords.check(user, password):
            raise StopAuthentication(WRONG_PASSWORD)
        with_code, with_passkey = self.needs_code(user), self.offers_passkey(user)
        if not (with_code or with_passkey):
            return
        factor, proof, refusal = self._proof(with_code, with_passkey, code, answer)
        with atomic(self._transaction):
            method = factor.check(user, proof)
        if method is None:
            raise StopAuthentication(refusal)
        factor.after_use(user, method, client)

    def _proof(
        self, with_code: bool, with_passkey: bool, code: str, answer: str
    ) -> tuple[SecondFactor, Proof, str]:
        # A passkey's answer is taken when the account has passkeys; otherwise the typed
        # code, which an account with only passkeys cannot give.
        if answer and with_passkey and self._passkeys is not None:
            return self._passkeys, PasskeyProof(answer), PASSKEY_REFUSED
        if code and with_code and self._second_factor is not None:
            return self._second_factor, CodeProof(code), WRONG_CODE
        raise StopAuthentication(CODE_NEEDED if with_code else PASSKEY_NEEDED)


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
        events: Events = NO_EVENTS,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._rules = rules
        self._tokens = tokens
        self._mailer = mailer
        self._transaction = transaction
        self._settings = settings
        self._clock = clock
        self._events = events

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
        self._events.user_registered(MemberRegistered(user.id, user.username, user.activated))
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
        *,
        clock: Clock,
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
        self._clock = clock

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

    def reset_password(self, token: str, password: str, *, client: ClientInfo) -> AuthUser:
        """Set the new password, end every session and API token of the account, and
        tell its owner (naming the tokens that stopped working, and ``client``, who set
        it)."""
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
        self._mailer.send_password_changed(user, notice_for(client, self._clock()), revoked)
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

"""The two-factor service: enrolment, recovery codes, turning it off, and the check the
login and the password confirmation make (it implements the ``SecondFactor`` port)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forumapp.auth.agents import notice_for
from forumapp.auth.ports import AuthUser, ClientInfo, Notice
from forumapp.auth.second_factor import recovery, totp
from forumapp.auth.second_factor.ports import CodeProof, Proof
from forumapp.auth.second_factor.sealing import SecretBox, SecretUnreadable
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import Transaction, atomic

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

TOTP = "totp"
RECOVERY = "recovery"

WRONG_CODE = _l("That code is not right. Enter the current code from your authenticator app.")
ENROLMENT_EXPIRED = _l("This set-up page has expired. Start again with a new QR code.")
ALREADY_ON = _l("Two-factor login is already on for your account.")
NOT_ON = _l("Two-factor login is not on for your account.")


class TwoFactorError(Exception):
    """A two-factor change was refused; ``reason`` is safe to show to the member."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TotpState:
    """An enabled authenticator app: the sealed secret and the last step used."""

    sealed_secret: str
    enabled_at: datetime
    last_used_step: int


class SecondFactorStore(Protocol):
    """Authenticator secrets and recovery codes; writes join the caller's unit of work."""

    def totp(self, user_id: int) -> TotpState | None: ...
    def save_totp(self, user_id: int, sealed_secret: str, when: datetime, step: int) -> None: ...
    def advance_step(self, user_id: int, step: int) -> bool: ...
    def replace_recovery_codes(self, user_id: int, code_hashes: list[str]) -> None: ...
    def use_recovery_code(self, user_id: int, code_hash: str, when: datetime) -> bool: ...
    def recovery_codes_left(self, user_id: int) -> int: ...
    def remove_all(self, user_id: int) -> None: ...


class OtherFactors(Protocol):
    """Whether an account has a second factor besides the authenticator app."""

    def enabled_for(self, user: AuthUser) -> bool: ...


class SecondFactorMailer(Protocol):
    """The notices about second factors; each method sends exactly one message."""

    def send_two_factor_enabled(self, user: AuthUser, notice: Notice) -> None: ...
    def send_two_factor_disabled(self, user: AuthUser, notice: Notice) -> None: ...
    def send_authenticator_removed(self, user: AuthUser, notice: Notice) -> None: ...
    def send_recovery_code_used(self, user: AuthUser, notice: Notice, codes_left: int) -> None: ...


@dataclass(frozen=True)
class TwoFactorSettings:
    """The configuration the service reads."""

    #: The name authenticator apps show next to the account.
    issuer: str
    #: Seconds a set-up page (its QR code) stays valid.
    enrolment_max_age: int = 3600


@dataclass(frozen=True)
class Enrolment:
    """A new secret on its way into an authenticator app, not stored yet.

    ``sealed`` travels in the set-up form (encrypted and dated) until a code made from
    the secret confirms that the app has it.
    """

    secret: str
    sealed: str
    uri: str
    qr_svg: str


@dataclass(frozen=True)
class TwoFactorStatus:
    """What the security page shows about an account's second factor."""

    enabled: bool
    enabled_at: datetime | None = None
    recovery_codes_left: int = 0


class TwoFactorService:
    """Enrols authenticator apps and checks their codes and the recovery codes.

    A TOTP code is accepted within one step either side of now, and only for a step
    after the last one accepted: no code works twice. Recovery codes work once each.
    """

    def __init__(
        self,
        store: SecondFactorStore,
        box: SecretBox,
        mailer: SecondFactorMailer,
        transaction: Transaction,
        settings: TwoFactorSettings,
        clock: Clock,
        others: OtherFactors | None = None,
    ) -> None:
        self._store = store
        #: The account's other second factors (passkeys): while one is left, turning the
        #: app off leaves two-factor login on, and the owner is told so.
        self._others = others
        self._box = box
        self._mailer = mailer
        self._transaction = transaction
        self._settings = settings
        self._clock = clock

    def status(self, user: AuthUser) -> TwoFactorStatus:
        """Whether the account has an authenticator app, since when, and its codes left."""
        state = self._store.totp(user.id)
        if state is None:
            return TwoFactorStatus(enabled=False)
        return TwoFactorStatus(True, state.enabled_at, self._store.recovery_codes_left(user.id))

    def start_enrolment(self, user: AuthUser) -> Enrolment:
        """A new secret with its QR code; nothing is stored until :meth:`confirm_enrolment`."""
        if self._store.totp(user.id) is not None:
            raise TwoFactorError(ALREADY_ON)
        secret = totp.new_secret()
        return self._enrolment(user, secret, self._box.seal(secret))

    def reopen_enrolment(self, user: AuthUser, sealed: str) -> Enrolment:
        """The enrolment ``sealed`` came from, to show again after a wrong code."""
        return self._enrolment(user, self._open_enrolment(sealed), sealed)

    def confirm_enrolment(
        self, user: AuthUser, sealed: str, code: str, *, client: ClientInfo
    ) -> list[str]:
        """Turn two-factor login on once ``code`` shows the app has the secret, and tell
        the owner by email; returns the recovery codes, which are never shown again."""
        secret = self._open_enrolment(sealed)
        step = totp.matching_step(secret, code, self._clock())
        if step is None:
            raise TwoFactorError(WRONG_CODE)
        codes = recovery.new_codes()
        with atomic(self._transaction):
            if self._store.totp(user.id) is not None:
                raise TwoFactorError(ALREADY_ON)
            # The confirming code is used up like any other.
            self._store.save_totp(user.id, self._box.seal(secret), self._clock(), step)
            self._store.replace_recovery_codes(user.id, [recovery.code_hash(c) for c in codes])
        self._mailer.send_two_factor_enabled(user, notice_for(client, self._clock()))
        return codes

    def _enrolment(self, user: AuthUser, secret: str, sealed: str) -> Enrolment:
        uri = totp.provisioning_uri(secret, user.username, self._settings.issuer)
        title = str(
            _l(
                "QR code to add %(username)s at %(site)s to an authenticator app",
                username=user.username,
                site=self._settings.issuer,
            )
        )
        return Enrolment(secret, sealed, uri, totp.qr_code_svg(uri, title))

    def _open_enrolment(self, sealed: str) -> str:
        try:
            return self._box.open(sealed, max_age=self._settings.enrolment_max_age)
        except SecretUnreadable as exc:
            raise TwoFactorError(ENROLMENT_EXPIRED) from exc

    def regenerate_recovery_codes(self, user: AuthUser) -> list[str]:
        """Ten new recovery codes; the earlier ones stop working."""
        codes = recovery.new_codes()
        with atomic(self._transaction):
            if self._store.totp(user.id) is None:
                raise TwoFactorError(NOT_ON)
            self._store.replace_recovery_codes(user.id, [recovery.code_hash(c) for c in codes])
        return codes

    def disable(self, user: AuthUser, *, client: ClientInfo) -> bool:
        """Turn the authenticator app off, and tell the account's owner by email. Whether
        two-factor login stays on (through another factor, such as a passkey)."""
        with atomic(self._transaction):
            if self._store.totp(user.id) is None:
                raise TwoFactorError(NOT_ON)
            self._store.remove_all(user.id)
            still_on = self._others is not None and self._others.enabled_for(user)
        notice = notice_for(client, self._clock())
        if still_on:
            self._mailer.send_authenticator_removed(user, notice)
        else:
            self._mailer.send_two_factor_disabled(user, notice)
        return still_on

    # -- the SecondFactor port ------------------------------------------------------------

    def enabled_for(self, user: AuthUser) -> bool:
        """Whether the login of ``user`` needs a second step."""
        return self._store.totp(user.id) is not None

    def check(self, user: AuthUser, proof: Proof) -> str | None:
        """The method ``proof`` satisfies (``"totp"`` or ``"recovery"``), or ``None``.

        The step or recovery code it used is spent in the caller's unit of work.
        """
        state = self._store.totp(user.id)
        if state is None or not isinstance(proof, CodeProof):
            return None
        now = self._clock()
        if recovery.looks_like_recovery_code(proof.code):
            used = self._store.use_recovery_code(user.id, recovery.code_hash(proof.code), now)
            return RECOVERY if used else None
        try:
            secret = self._box.open(state.sealed_secret)
        except SecretUnreadable:
            log.warning("The TOTP secret of account %s was sealed with another key", user.id)
            return None
        step = totp.matching_step(secret, proof.code, now, after=state.last_used_step)
        # The update only moves forwards: of two requests with one code, one wins.
        if step is None or not self._store.advance_step(user.id, step):
            return None
        return TOTP

    def after_use(self, user: AuthUser, method: str, client: ClientInfo) -> None:
        """Tell the owner when ``client`` used a recovery code: it may not have been them."""
        if method == RECOVERY:
            self._mailer.send_recovery_code_used(
                user, notice_for(client, self._clock()), self._store.recovery_codes_left(user.id)
            )

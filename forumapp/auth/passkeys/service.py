"""The passkey service: registration, renaming and removal on the security page, and the
check of a passkey's answer at the second step of a login (the ``SecondFactor`` port)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from forumapp.auth.agents import notice_for
from forumapp.auth.passkeys import ceremony
from forumapp.auth.passkeys.ceremony import (
    CeremonyFailed,
    KnownCredential,
    NewCredential,
    RelyingParty,
)
from forumapp.auth.ports import AuthUser, ClientInfo, Notice
from forumapp.auth.second_factor.ports import PasskeyProof, Proof
from forumapp.forum.errors import NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import Transaction, atomic

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: The login-history name of the method.
PASSKEY = "passkey"
#: Ceremonies a challenge can answer.
REGISTER = "register"
LOGIN = "login"
SIGN_IN = "sign-in"

NOT_REGISTERED = _l(
    "The passkey was not added: your browser's answer did not check out, or took too long. "
    "Try again."
)
ALREADY_REGISTERED = _l("That passkey is already registered.")


class PasskeyError(Exception):
    """A passkey change was refused; ``reason`` is safe to show to the member."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StoredPasskey:
    """A registered passkey, as the service reads it."""

    id: int
    user_id: int
    credential_id: str
    public_key: bytes
    sign_count: int
    transports: tuple[str, ...]
    name: str
    created_at: datetime
    last_used_at: datetime | None


class PasskeyStore(Protocol):
    """Registered passkeys; writes join the caller's unit of work."""

    def for_user(self, user_id: int) -> Sequence[StoredPasskey]: ...
    def by_credential_id(self, credential_id: str) -> StoredPasskey | None: ...
    def add(self, user_id: int, credential: NewCredential, name: str, when: datetime) -> None: ...
    def rename(self, user_id: int, passkey_id: int, name: str) -> bool: ...
    def remove(self, user_id: int, passkey_id: int) -> bool: ...
    def record_use(self, passkey: StoredPasskey, sign_count: int, when: datetime) -> bool: ...


class ChallengeStore(Protocol):
    """Challenges handed out, by their SHA-256; each is taken once, before it expires."""

    def open(
        self,
        user_id: int | None,
        purpose: str,
        challenge_hash: str,
        now: datetime,
        lifetime: timedelta,
    ) -> None:
        """Keep a challenge for ``user_id`` (none: a sign-in, where the passkey names them)."""

    def take(self, challenge_hash: str, purpose: str, user_id: int | None, now: datetime) -> bool:
        """Delete the live challenge of ``user_id``; whether there was one."""


class OtherSecondFactor(Protocol):
    """The account's other second factors (an authenticator app)."""

    def enabled_for(self, user: AuthUser) -> bool: ...


class PasskeyMailer(Protocol):
    """The notice sent when the last second factor of an account goes."""

    def send_two_factor_disabled(self, user: AuthUser, notice: Notice) -> None: ...


@dataclass(frozen=True)
class PasskeySettings:
    """The configuration the service reads."""

    relying_party: RelyingParty
    #: How long a browser has to answer a challenge.
    challenge_lifetime: timedelta = timedelta(minutes=5)


def _hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _known(passkeys: Sequence[StoredPasskey]) -> list[KnownCredential]:
    return [KnownCredential(p.credential_id, p.transports) for p in passkeys]


class PasskeyService:
    """Registers members' passkeys and checks their answers at login.

    Every ceremony starts with a random challenge, kept server-side (as its hash) for its
    member and purpose; the browser's answer names the challenge and takes it, so each
    answers once, for the member it was made for, within ``challenge_lifetime``.
    """

    def __init__(
        self,
        store: PasskeyStore,
        challenges: ChallengeStore,
        others: OtherSecondFactor,
        mailer: PasskeyMailer,
        transaction: Transaction,
        settings: PasskeySettings,
        clock: Clock,
    ) -> None:
        self._store = store
        self._challenges = challenges
        self._others = others
        self._mailer = mailer
        self._transaction = transaction
        self._settings = settings
        self._clock = clock

    def passkeys(self, user: AuthUser) -> Sequence[StoredPasskey]:
        """The member's passkeys, oldest first."""
        return self._store.for_user(user.id)

    def passkey(self, user: AuthUser, passkey_id: int) -> StoredPasskey:
        """One of the member's passkeys; :class:`NotFound` for another's."""
        for passkey in self._store.for_user(user.id):
            if passkey.id == passkey_id:
                return passkey
        raise NotFound

    def registration_options(self, user: AuthUser) -> str:
        """The options (JSON) for the browser to create a new passkey for ``user``."""
        challenge = self._new_challenge(user, REGISTER)
        existing = _known(self._store.for_user(user.id))
        return ceremony.registration_options(
            self._settings.relying_party, str(user.id).encode(), user.username, challenge, existing
        )

    def register(self, user: AuthUser, name: str, answer: str) -> None:
        """Store the passkey the browser's ``answer`` created, under ``name``; or raise
        :class:`PasskeyError`. The challenge is spent either way."""
        with atomic(self._transaction):
            credential = self._verified_registration(user, answer)
            if credential is not None:
                if self._store.by_credential_id(credential.credential_id) is not None:
                    raise PasskeyError(ALREADY_REGISTERED)
                self._store.add(user.id, credential, name, self._clock())
        if credential is None:
            raise PasskeyError(NOT_REGISTERED)

    def _verified_registration(self, user: AuthUser, answer: str) -> NewCredential | None:
        try:
            challenge = ceremony.challenge_of(answer)
            if not self._take(challenge, REGISTER, user):
                return None
            return ceremony.verify_registration(self._settings.relying_party, answer, challenge)
        except CeremonyFailed as exc:
            log.info("A passkey registration of account %s failed: %s", user.id, exc)
            return None

    def rename(self, user: AuthUser, passkey_id: int, name: str) -> None:
        """Give the member's passkey a new name; :class:`NotFound` for another's."""
        with atomic(self._transaction):
            if not self._store.rename(user.id, passkey_id, name):
                raise NotFound

    def remove(self, user: AuthUser, passkey_id: int, *, client: ClientInfo) -> None:
        """Remove the member's passkey; when it was the account's last second factor, its
        owner gets the same notice as for turning two-factor login off."""
        with atomic(self._transaction):
            if not self._store.remove(user.id, passkey_id):
                raise NotFound
            last = not self._store.for_user(user.id) and not self._others.enabled_for(user)
        if last:
            self._mailer.send_two_factor_disabled(user, notice_for(client, self._clock()))

    # -- the second step of a login --------------------------------------------------------

    def authentication_options(self, user: AuthUser) -> str:
        """The options (JSON) for the browser to prove ``user`` holds one of their passkeys."""
        challenge = self._new_challenge(user, LOGIN)
        allowed = _known(self._store.for_user(user.id))
        return ceremony.authentication_options(self._settings.relying_party, challenge, allowed)

    def enabled_for(self, user: AuthUser) -> bool:
        """Whether the member has a passkey (and so a second factor)."""
        return bool(self._store.for_user(user.id))

    def check(self, user: AuthUser, proof: Proof) -> str | None:
        """``"passkey"`` when ``proof`` is a passkey answer of ``user`` to a live login
        challenge of theirs, ``None`` otherwise. The challenge is spent and the passkey's
        signature count moved on in the caller's unit of work."""
        if not isinstance(proof, PasskeyProof):
            return None
        return PASSKEY if self._verified_use(proof.answer, LOGIN, user) is not None else None

    def sign_in_options(self) -> str:
        """The options (JSON) of a sign-in with a passkey alone: any discoverable credential
        of this site, with the person verified (fingerprint, face or PIN)."""
        challenge = self._new_challenge(None, SIGN_IN)
        return ceremony.authentication_options(
            self._settings.relying_party, challenge, [], user_verification=True
        )

    def identify(self, answer: str) -> int | None:
        """The id of the member whose passkey signed ``answer`` to a live sign-in challenge,
        with the person verified; ``None`` otherwise. The challenge is spent and the
        passkey's use recorded in the caller's unit of work."""
        passkey = self._verified_use(answer, SIGN_IN, None)
        return passkey.user_id if passkey is not None else None

    def _verified_use(
        self, answer: str, purpose: str, user: AuthUser | None
    ) -> StoredPasskey | None:
        # A sign-in has no password before it: the passkey must have verified the person.
        verify_person = purpose == SIGN_IN
        try:
            challenge = ceremony.challenge_of(answer)
            passkey = self._store.by_credential_id(ceremony.credential_id_of(answer))
            if not self._take(challenge, purpose, user) or passkey is None:
                return None
            if user is not None and passkey.user_id != user.id:
                return None
            count = ceremony.verify_authentication(
                self._settings.relying_party,
                answer,
                challenge,
                passkey.public_key,
                passkey.sign_count,
                user_verification=verify_person,
            )
        except CeremonyFailed as exc:
            log.info("A passkey %s failed: %s", purpose, exc)
            return None
        # Of two requests with one answer, the counter lets one through.
        return passkey if self._store.record_use(passkey, count, self._clock()) else None

    def after_use(self, user: AuthUser, method: str, client: ClientInfo) -> None:
        """Nothing to tell: a passkey is not used up."""

    def _new_challenge(self, user: AuthUser | None, purpose: str) -> bytes:
        challenge = secrets.token_bytes(32)
        owner = user.id if user is not None else None
        with atomic(self._transaction):
            self._challenges.open(
                owner, purpose, _hash(challenge), self._clock(), self._settings.challenge_lifetime
            )
        return challenge

    def _take(self, challenge: bytes, purpose: str, user: AuthUser | None) -> bool:
        owner = user.id if user is not None else None
        return self._challenges.take(_hash(challenge), purpose, owner, self._clock())

"""Password hashing (Argon2id) and the password policy (NIST SP 800-63B style)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import astuple
from functools import cache
from typing import Any

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from forumapp.lazy_text import lazy_gettext as _l

#: How often the parameters of the stored hashes are sampled again, in seconds: as members
#: log in after a change of parameters their hashes are upgraded, and the typical one moves.
SAMPLE_EVERY_SECONDS = 300.0


#: Argon2 parameters as a hashable tuple (``argon2.Parameters`` is not hashable).
Parameters = tuple[Any, ...]


def _parameters_of(password_hash: str) -> Parameters | None:
    """The parameters an Argon2 hash was made with; ``None`` for anything else."""
    try:
        return astuple(argon2.extract_parameters(password_hash))
    except (InvalidHashError, ValueError):
        return None


class Argon2Hasher:
    """Hashes and verifies passwords with Argon2id; tells when a hash needs upgrading.

    Unknown accounts are checked against a dummy hash so that they cost the time of a real
    verification. A verification costs what the parameters of the *stored* hash say, and
    stored hashes keep the parameters they were made with until their member logs in
    again: after the parameters change, most stored hashes still have the old ones. So the
    dummy hash takes the parameters most common in ``stored_sample()`` (a sample of stored
    hashes, taken again every :data:`SAMPLE_EVERY_SECONDS`), not the current ones;
    without a sample it takes the current ones.
    """

    def __init__(
        self,
        time_cost: int,
        memory_cost: int,
        parallelism: int,
        *,
        stored_sample: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._stored_sample = stored_sample
        self._lock = threading.Lock()
        self._sampled_at: float | None = None
        self._typical: Parameters | None = None
        self._dummies: dict[Parameters | None, str] = {}

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
        # Known accounts pay for the occasional sample as well, so its cost tells nothing.
        self._sample_if_due()
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def dummy_verify(self, password: str) -> None:
        """Spend the time of a real verification, so unknown accounts answer as slowly."""
        self.verify(self.dummy_hash(), password)

    def dummy_hash(self) -> str:
        """The hash unknown accounts are checked against: made with the parameters most
        stored hashes have (the current ones when there is no sample)."""
        self._sample_if_due()
        typical = self._typical
        dummy = self._dummies.get(typical)
        if dummy is None:
            maker = (
                self._hasher
                if typical is None
                else argon2.PasswordHasher.from_parameters(argon2.Parameters(*typical))
            )
            # Made once per set of parameters and kept: one per change of parameters.
            dummy = self._dummies[typical] = maker.hash(secrets.token_urlsafe(16))
        return dummy

    def _sample_if_due(self) -> None:
        if self._stored_sample is None:
            return
        now = time.monotonic()
        with self._lock:
            if self._sampled_at is not None and now - self._sampled_at < SAMPLE_EVERY_SECONDS:
                return
            self._sampled_at = now
        counts = Counter(filter(None, map(_parameters_of, self._stored_sample())))
        if counts:
            self._typical = counts.most_common(1)[0][0]


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from leaked lists (zxcvbn's frequency list)."""
    # Imported on the first password check, not with this module: zxcvbn's lists take
    # about 12 MB, which a worker that only serves pages should not carry.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class PasswordPolicy:
    """Length limits, no composition rules, and a refusal of guessable passwords."""

    def __init__(self, min_length: int, max_length: int) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def problems(self, password: str, username: str = "", email: str = "") -> list[str]:
        """Why ``password`` is refused; an empty list when it is acceptable."""
        if len(password) < self.min_length:
            return [_l("Use at least %(num)s characters.", num=self.min_length)]
        if len(password) > self.max_length:
            return [_l("Use at most %(num)s characters.", num=self.max_length)]
        folded = password.casefold()
        personal = {username.casefold(), email.casefold(), email.partition("@")[0].casefold()}
        if folded in personal - {""}:
            return [_l("Your password cannot be your username or email address.")]
        if folded in common_passwords():
            return [_l("This password is too common and easy to guess; choose another.")]
        return []

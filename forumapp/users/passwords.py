"""Password hashing (Argon2id) and the password policy (NIST SP 800-63B style)."""

from __future__ import annotations

import secrets
from functools import cache, cached_property

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """Hashes and verifies passwords with Argon2id; tells when a hash needs upgrading."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
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
        self.verify(self._dummy_hash, password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hash(secrets.token_urlsafe(16))


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
            return [f"Use at least {self.min_length} characters."]
        if len(password) > self.max_length:
            return [f"Use at most {self.max_length} characters."]
        folded = password.casefold()
        personal = {username.casefold(), email.casefold(), email.partition("@")[0].casefold()}
        if folded in personal - {""}:
            return ["Your password cannot be your username or email address."]
        if folded in common_passwords():
            return ["This password is too common and easy to guess; choose another."]
        return []

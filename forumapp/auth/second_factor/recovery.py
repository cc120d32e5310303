"""Recovery codes: ten single-use codes that stand in for a lost authenticator app.

Each code carries 50 random bits, so its SHA-256 is safe to store: nobody can search the
space of codes from the hash, and a slow password hash would only slow down the login.
"""

from __future__ import annotations

import hashlib
import secrets

#: Codes handed out at once.
COUNT = 10
#: Base32 without the letters people confuse with digits.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
#: Characters per code; shown in two halves of five, ``abcde-fghjk``.
LENGTH = 10


def new_codes(count: int = COUNT) -> list[str]:
    """``count`` fresh codes, as the member will see them."""
    return [_format("".join(secrets.choice(ALPHABET) for _ in range(LENGTH))) for _ in range(count)]


def _format(code: str) -> str:
    return f"{code[: LENGTH // 2]}-{code[LENGTH // 2 :]}"


def normalize(code: str) -> str:
    """A code as typed, in the form it is hashed in: no dashes or spaces, lower case."""
    return "".join(char for char in code if char not in " -").lower()


def looks_like_recovery_code(code: str) -> bool:
    """Whether ``code`` has the shape of a recovery code (not of a six-digit TOTP code)."""
    typed = normalize(code)
    return len(typed) == LENGTH and all(char in ALPHABET for char in typed)


def code_hash(code: str) -> str:
    """The stored form of a recovery code."""
    return hashlib.sha256(normalize(code).encode("ascii", "replace")).hexdigest()

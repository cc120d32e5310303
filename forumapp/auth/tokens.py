"""Signed, purpose-bound, expiring tokens for the links in account emails.

A token carries the user id and a fingerprint of the account state it was made for
(password hash and email for a reset; email and activation flag for an activation).
Once that state changes — the password is reset, the email changes, the account is
activated — the fingerprint no longer matches and the token is dead: single use without
a table of used tokens.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from forumapp.auth.exceptions import TokenError
from forumapp.auth.ports import AuthUser
from forumapp.lazy_text import lazy_gettext as _l

INVALID = _l("This link is invalid or has already been used. You can request a new one.")
EXPIRED = _l("This link has expired. You can request a new one.")


class TokenPurpose(StrEnum):
    """What a token may be used for; a token of one purpose is refused for another."""

    ACTIVATE_ACCOUNT = "activate-account"
    RESET_PASSWORD = "reset-password"


def _account_state(purpose: TokenPurpose, user: AuthUser) -> str:
    if purpose is TokenPurpose.RESET_PASSWORD:
        return f"{user.password_hash}\x00{user.email.casefold()}"
    return f"{user.email.casefold()}\x00{user.activated}"


class TokenService:
    """Issues and checks account tokens with the app's secret key."""

    def __init__(self, secret_key: str | bytes, clock: Callable[[], datetime]) -> None:
        self._secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        self._clock = clock

    def _serializer(self, purpose: TokenPurpose) -> URLSafeTimedSerializer:
        clock = self._clock

        class ClockedSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock().timestamp())

        return URLSafeTimedSerializer(
            self._secret, salt=f"forumapp.{purpose}", signer=ClockedSigner
        )

    def _fingerprint(self, purpose: TokenPurpose, user: AuthUser) -> str:
        state = _account_state(purpose, user).encode()
        return hmac.new(self._secret, state, hashlib.sha256).hexdigest()[:32]

    def issue(self, purpose: TokenPurpose, user: AuthUser) -> str:
        """A token for ``purpose`` bound to the current state of ``user``."""
        return self._serializer(purpose).dumps([user.id, self._fingerprint(purpose, user)])

    def verify(
        self,
        purpose: TokenPurpose,
        token: str,
        max_age: int,
        lookup: Callable[[int], AuthUser | None],
    ) -> AuthUser:
        """The user a valid token was issued for; :class:`TokenError` otherwise."""
        try:
            payload: Any = self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired as exc:
            raise TokenError(EXPIRED) from exc
        except (BadSignature, UnicodeError, ValueError) as exc:
            raise TokenError(INVALID) from exc
        if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
            raise TokenError(INVALID)
        user = lookup(payload[0])
        if user is None or not hmac.compare_digest(
            str(payload[1]), self._fingerprint(purpose, user)
        ):
            raise TokenError(INVALID)
        return user

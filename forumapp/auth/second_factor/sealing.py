"""TOTP secrets are stored encrypted: a copy of the database alone does not let anyone
make an account's codes.

The key is derived from the app's ``SECRET_KEY`` (HKDF), so there is nothing more to
configure or back up; changing ``SECRET_KEY`` therefore turns two-factor login off for
every account, whose owners then log in with a recovery code.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"forumapp.auth.second_factor.totp-secret"


class SecretUnreadable(Exception):
    """A stored secret was sealed with another key (``SECRET_KEY`` changed)."""


class SecretBox:
    """Seals and opens TOTP secrets with a key derived from ``app_secret``."""

    def __init__(self, app_secret: str | bytes) -> None:
        raw = app_secret.encode() if isinstance(app_secret, str) else app_secret
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, secret: str) -> str:
        """The encrypted form of ``secret``, as text."""
        return self._fernet.encrypt(secret.encode("ascii")).decode("ascii")

    def open(self, sealed: str, max_age: int | None = None) -> str:
        """The secret :meth:`seal` encrypted, if sealed at most ``max_age`` seconds ago;
        :class:`SecretUnreadable` for another key's, or an older one."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii"), ttl=max_age).decode("ascii")
        except (InvalidToken, ValueError) as exc:
            raise SecretUnreadable from exc

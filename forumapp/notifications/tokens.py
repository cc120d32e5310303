"""Signed one-click unsubscribe tokens: they name a member and the kinds of email to stop,
need no login, and cannot be forged or altered without the secret key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from forumapp.notifications.kinds import Kind

SALT = "forumapp.notifications.unsubscribe"


class InvalidUnsubscribeToken(Exception):
    """The link was forged, altered or cut short."""


@dataclass(frozen=True)
class Unsubscription:
    """What an unsubscribe link stops."""

    user_id: int
    kinds: tuple[Kind, ...]


class UnsubscribeTokens:
    """Makes and reads unsubscribe tokens with ``secret_key``.

    They do not expire: an email read months later must still let its reader stop the
    next ones, and all a token can do is turn email off.
    """

    def __init__(self, secret_key: str | bytes) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=SALT)

    def make(self, user_id: int, kinds: Sequence[Kind]) -> str:
        """A token that stops ``kinds`` of email for the member."""
        return str(self._serializer.dumps([user_id, sorted(kind.value for kind in kinds)]))

    def read(self, token: str) -> Unsubscription:
        """What ``token`` stops; :class:`InvalidUnsubscribeToken` if it is not genuine."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature as exc:
            raise InvalidUnsubscribeToken from exc
        match payload:
            case [int(user_id), list(names)] if names and all(
                isinstance(name, str) and name in _KINDS for name in names
            ):
                return Unsubscription(user_id, tuple(Kind(name) for name in names))
        raise InvalidUnsubscribeToken


_KINDS = frozenset(kind.value for kind in Kind)

"""Personal access tokens: issued, listed, revoked and checked, without Flask.

A token's secret is shown once, when it is issued; the database keeps its SHA-256 hash
only. The secrets are 256 random bits, so a fast unsalted hash is enough: nobody can
guess their way back from the hash, and a lookup by hash through a unique index takes
the same time whatever part of a wrong secret matches.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from forumapp.api.models import NAME_MAX_LENGTH, ApiToken
from forumapp.forum.errors import NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.lazy_text import lazy_ngettext
from forumapp.persistence import DbSession, PersistenceError, atomic
from forumapp.text import has_control_characters
from forumapp.users.models import User

#: Every secret starts with this, so leaked tokens are easy to recognise (secret scanners).
SECRET_MARKER = "fa_"
#: How many leading characters of the secret the token list shows.
PREFIX_LENGTH = 10
#: ``"fa_"`` and ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe alphabet.
_SECRET_PATTERN = re.compile(r"fa_[A-Za-z0-9_-]{43}")

NAME_REQUIRED = _l("Give the token a name.")
NAME_TOO_LONG = _l("Use at most %(max)d characters.", max=NAME_MAX_LENGTH)
NAME_CONTROL_CHARACTERS = _l("Remove the control characters from the name.")
NAME_TAKEN = _l("You already have a token with this name.")
SCOPE_UNKNOWN = _l("Choose read or write.")

#: The ``field`` of a :class:`TokenError` about the request as a whole.
WHOLE_FORM = ""


class TokenScope(StrEnum):
    """What a token may do: ``read`` only, or ``write`` as well."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which is shown once and never stored."""

    token: ApiToken
    secret: str


class TokenError(Exception):
    """A token cannot be issued; ``field`` names the form field (``""``: the whole form)
    and ``reason`` is for people."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest stored in place of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_name_key(name: str) -> str:
    """The case-insensitive identity of a token name (``CI`` and ``ci`` are one)."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


class TokenService:
    """Issue, list, revoke and authenticate a member's personal access tokens.

    ``max_tokens`` bounds the tokens of one member; ``touch_seconds`` is how stale
    ``last_used_at`` may get before :meth:`authenticate` writes it again, so that a
    busy script does not cost one UPDATE per request.
    """

    def __init__(
        self,
        session: DbSession,
        clock: Callable[[], datetime],
        *,
        max_tokens: int = 20,
        touch_seconds: int = 300,
    ) -> None:
        self.session = session
        self.clock = clock
        self.max_tokens = max_tokens
        self.touch_seconds = touch_seconds

    def issue(self, user_id: int, name: str, scope: TokenScope) -> IssuedToken:
        """Create a token named ``name`` for the member; raises :class:`TokenError`."""
        name = self._checked_name(name)
        scope = self._checked_scope(scope)
        secret = SECRET_MARKER + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=user_id,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            token_hash=hash_secret(secret),
            scope=scope.value,
            created_at=self.clock(),
        )
        try:
            with atomic(self.session):
                self._lock_member(user_id)
                self._check_room_for(user_id, name)
                self.session.add(token)
        except PersistenceError as exc:
            # Only the (user, name) constraint can fail: a same-named token won a race.
            raise TokenError("name", NAME_TAKEN) from exc
        return IssuedToken(token, secret)

    def tokens_of(self, user_id: int) -> list[ApiToken]:
        """The member's tokens, newest first."""
        query = (
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        return list(self.session.scalars(query))

    def revoke(self, user_id: int, token_id: int) -> None:
        """Delete one of the member's tokens; :class:`NotFound` when it is not theirs."""
        with atomic(self.session):
            result = cast(
                CursorResult[Any],
                self.session.execute(
                    delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
                ),
            )
            if result.rowcount != 1:
                raise NotFound()

    def revoke_all(self, user_id: int) -> list[str]:
        """Delete every token of the member in the caller's transaction (a password reset
        commits it with the rest); the names of the tokens deleted, in alphabetical order."""
        names = self.session.scalars(
            delete(ApiToken).where(ApiToken.user_id == user_id).returning(ApiToken.name)
        )
        return sorted(names, key=str.casefold)

    def authenticate(self, secret: str) -> ApiToken | None:
        """The token whose secret this is, or ``None``; notes when it was last used."""
        if not isinstance(secret, str) or not _SECRET_PATTERN.fullmatch(secret):
            return None
        token: ApiToken | None = self.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
        )
        if token is None:
            return None
        now = self.clock()
        cutoff = now - timedelta(seconds=self.touch_seconds)
        if token.last_used_at is None or token.last_used_at < cutoff:
            self._touch(token, now, cutoff)
        return token

    def _touch(self, token: ApiToken, now: datetime, cutoff: datetime) -> None:
        # The condition is repeated in SQL: of simultaneous requests, one writes.
        with atomic(self.session):
            self.session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == token.id,
                    or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < cutoff),
                )
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
        # Already in the database: set it without making the object dirty again.
        set_committed_value(token, "last_used_at", now)

    @staticmethod
    def _checked_name(name: str) -> str:
        name = name.strip()
        if not name:
            raise TokenError("name", NAME_REQUIRED)
        if len(name) > NAME_MAX_LENGTH:
            raise TokenError("name", NAME_TOO_LONG)
        if has_control_characters(name):
            raise TokenError("name", NAME_CONTROL_CHARACTERS)
        return name

    @staticmethod
    def _checked_scope(scope: TokenScope | str) -> TokenScope:
        try:
            return TokenScope(scope)
        except ValueError:
            raise TokenError("scope", SCOPE_UNKNOWN) from None

    def _lock_member(self, user_id: int) -> None:
        # A row lock on PostgreSQL (SQLite has one writer at a time): two tokens issued at
        # once for one member cannot both pass the count and the case-insensitive check.
        found = self.session.scalar(select(User.id).where(User.id == user_id).with_for_update())
        if found is None:
            raise NotFound()

    def _check_room_for(self, user_id: int, name: str) -> None:
        names = list(self.session.scalars(select(ApiToken.name).where(ApiToken.user_id == user_id)))
        if len(names) >= self.max_tokens:
            raise TokenError(
                WHOLE_FORM,
                lazy_ngettext(
                    "You already have %(num)s token, the most allowed. Revoke it if you no "
                    "longer use it.",
                    "You already have %(num)s tokens, the most allowed. Revoke one you no "
                    "longer use.",
                    len(names),
                ),
            )
        key = token_name_key(name)
        if any(token_name_key(existing) == key for existing in names):
            raise TokenError("name", NAME_TAKEN)

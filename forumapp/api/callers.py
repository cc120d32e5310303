"""Who calls the API: a personal access token, a browser session, or nobody.

A request with ``Authorization: Bearer`` is judged by its token alone, cookies are
ignored; a browser session must send its CSRF token (``X-CSRFToken``) with every write,
as a form would.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from flask_babel import LazyString
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from forumapp.api.problems import Problem
from forumapp.api.token_views import token_service_factory
from forumapp.api.tokens import TokenScope
from forumapp.extensions import csrf, db
from forumapp.forum.actor import current_actor, load_actor
from forumapp.forum.permissions import Actor
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import Auditor
from forumapp.users.models import User

_CHALLENGE = 'Bearer realm="forumapp"'


@dataclass(frozen=True)
class Caller:
    """The actor of an API request and how they authenticated."""

    actor: Actor
    user: User | None
    #: The token's scope; ``None`` for a browser session or an anonymous caller.
    scope: TokenScope | None
    token_id: int | None
    ip_address: str

    @property
    def auditor(self) -> Auditor:
        """The caller as the audit log records them."""
        return Auditor(self.actor.user_id, self.actor.username, self.ip_address)

    @property
    def rate_limit_key(self) -> str:
        """The bucket of the per-caller rate limit."""
        if self.token_id is not None:
            return f"token:{self.token_id}"
        if self.user is not None:
            return f"member:{self.user.id}"
        return f"address:{self.ip_address}"


def current_caller() -> Caller:
    """The caller of this request, authenticated once and kept for the request."""
    caller = g.get("api_caller")
    if caller is None:
        caller = _authenticate()
        g.api_caller = caller
    assert isinstance(caller, Caller)
    return caller


def require_member(caller: Caller) -> User:
    """Anonymous callers get 401 with a ``WWW-Authenticate`` challenge."""
    if caller.user is None:
        raise Problem(
            401,
            _l("Log in, or send a personal access token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": _CHALLENGE},
            kind="authentication-required",
        )
    return caller.user


def require_write(caller: Caller) -> None:
    """A write needs a member, a ``write`` token or a session with its CSRF token."""
    require_member(caller)
    if caller.token_id is None:
        try:
            csrf.protect()
        except CSRFError:
            raise Problem(
                403,
                _l("A browser session must send its CSRF token in the X-CSRFToken header."),
                kind="csrf-token-missing",
            ) from None
    elif caller.scope is not TokenScope.WRITE:
        raise Problem(
            403,
            _l("This token may only read. Create a token with the write scope."),
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="insufficient_scope"'},
            kind="insufficient-scope",
        )


def _authenticate() -> Caller:
    address = get_remote_address()
    header = request.headers.get("Authorization")
    if header is None:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        return Caller(current_actor(), user, None, None, address)
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _invalid_token(_l("Use the Bearer scheme: Authorization: Bearer <token>."))
    token = token_service_factory().authenticate(secret.strip())
    user = db.session.scalar(select(User).where(User.id == token.user_id)) if token else None
    if token is None or user is None:
        raise _invalid_token(_l("The token is unknown or was revoked."))
    if user.group.banned or not user.activated:
        raise Problem(403, _l("This account may not use the API."), kind="account-disabled")
    actor = load_actor(user.id, user.username, user.group)
    return Caller(actor, user, TokenScope(token.scope), token.id, address)


def _invalid_token(detail: LazyString) -> Problem:
    return Problem(
        401,
        detail,
        headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        kind="invalid-token",
    )

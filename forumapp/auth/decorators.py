"""Access checks used as class-level ``decorators`` of the auth views (and beyond)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.auth.urls import auth_url
from forumapp.extensions import login_manager
from forumapp.http import home_url

F = TypeVar("F", bound=Callable[..., Any])

#: Session key holding the time of the last password confirmation.
FRESH_AT_KEY = "_fresh_at"


def mark_fresh() -> None:
    """Record that the person just proved they know the password."""
    session[FRESH_AT_KEY] = time.time()


def is_fresh() -> bool:
    """Whether the password was confirmed within ``REAUTH_WINDOW_SECONDS``."""
    confirmed_at = session.get(FRESH_AT_KEY)
    if not isinstance(confirmed_at, int | float):
        return False
    window: int = current_app.config["REAUTH_WINDOW_SECONDS"]
    return time.time() - confirmed_at <= window


def anonymous_required(view: F) -> F:
    """Send people who are already logged in to the home page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated:
            return redirect(home_url())
        return view(*args, **kwargs)

    return cast(F, wrapper)


def login_required(view: F) -> F:
    """Ask anonymous visitors to log in first, then bring them back."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return cast(F, wrapper)


def fresh_login_required(view: F) -> F:
    """Require a password confirmed within ``REAUTH_WINDOW_SECONDS`` (see the Reauth view)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not is_fresh():
            flash(_("Please confirm your password to continue."), "info")
            return redirect(auth_url("reauth", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def requires_unactivated(view: F) -> F:
    """Only for people whose account still waits for activation (or who are anonymous)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and current_user.activated:
            flash(_("Your account is already activated."), "info")
            return redirect(home_url())
        return view(*args, **kwargs)

    return cast(F, wrapper)


def registration_enabled(view: F) -> F:
    """Answer 403 with an explanation when ``REGISTRATION_ENABLED`` is off."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_app.config["REGISTRATION_ENABLED"]:
            abort(403, description=_("Registration of new accounts is closed on this forum."))
        return view(*args, **kwargs)

    return cast(F, wrapper)

"""The language cookie: what the language menu sets, and what a page that learns a
visitor's language from their account (an activation link) sets too."""

from __future__ import annotations

from flask import current_app
from werkzeug.wrappers import Response

from forumapp.i18n.selection import COOKIE_MAX_AGE, COOKIE_NAME


def offered_language(code: str | None) -> str | None:
    """``code`` if the site offers that language, else ``None``."""
    return code if code and code in current_app.config["LANGUAGES"] else None


def remember_language(response: Response, code: str) -> Response:
    """Make ``code`` the browser's language for the next pages (a year)."""
    response.set_cookie(
        COOKIE_NAME,
        code,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response

"""URLs into the auth blueprint, wherever and under whatever name it is mounted."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

#: Config key holding the name the auth blueprint was registered under.
BLUEPRINT_NAME_KEY = "AUTH_BLUEPRINT_NAME"


def auth_endpoint(endpoint: str) -> str:
    """The full endpoint name of an auth view, e.g. ``auth.login``."""
    return f"{current_app.config.get(BLUEPRINT_NAME_KEY, 'auth')}.{endpoint}"


def auth_url(endpoint: str, **values: Any) -> str:
    """The URL of an auth view, e.g. ``auth_url("login")``."""
    return url_for(auth_endpoint(endpoint), **values)

"""URLs into the auth blueprint, wherever and under whatever name it is mounted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, url_for

from forumapp.resources import static_folder

#: Config key holding the name the auth blueprint was registered under.
BLUEPRINT_NAME_KEY = "AUTH_BLUEPRINT_NAME"


def auth_endpoint(endpoint: str) -> str:
    """The full endpoint name of an auth view, e.g. ``auth.login``."""
    return f"{current_app.config.get(BLUEPRINT_NAME_KEY, 'auth')}.{endpoint}"


def auth_url(endpoint: str, **values: Any) -> str:
    """The URL of an auth view, e.g. ``auth_url("login")``."""
    return url_for(auth_endpoint(endpoint), **values)


def static_url(filename: str) -> str:
    """The URL of one of forumapp's static files: the app's own ``/static`` when the app
    serves forumapp's static folder (forumapp itself), else the auth blueprint's copy."""
    app_folder = current_app.static_folder
    if app_folder is not None and Path(app_folder).resolve() == Path(static_folder()).resolve():
        return url_for("static", filename=filename)
    return url_for(auth_endpoint("static"), filename=filename)

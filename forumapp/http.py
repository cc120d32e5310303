"""Small HTTP helpers shared by every blueprint: the safe-redirect check, absolute URLs,
and text from URL paths and query strings kept free of control characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, has_request_context, request, url_for
from werkzeug.routing import UnicodeConverter, ValidationError

from forumapp.text import has_control_characters

MAX_REDIRECT_LENGTH = 2048
#: The base of absolute links when ``EXTERNAL_URL`` is unset: the embedded profile's own
#: address (``forumapp run`` replaces it with the address it serves on). It is never the
#: request's Host header, which whoever sends the request chooses.
LOCAL_EXTERNAL_URL = "http://127.0.0.1:5000"


def is_safe_redirect(target: str | None) -> bool:
    """Whether ``target`` is a path on this site that a browser cannot read as another host.

    Only same-site paths are accepted. Browsers treat ``\\`` like ``/``, drop tabs and
    newlines, and read ``//host`` or ``///host`` as another host, so those are refused
    along with anything that carries a scheme or a network location.
    """
    if not target or len(target) > MAX_REDIRECT_LENGTH:
        return False
    if any(unicodedata.category(char)[0] in "CZ" for char in target):
        return False
    candidate = target.replace("\\", "/")
    if not candidate.startswith("/") or candidate.startswith("//"):
        return False
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """``target`` when it is safe, otherwise ``fallback``."""
    return target if target is not None and is_safe_redirect(target) else fallback


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for links that leave the page: emails, feeds and the JSON API.

    The base is ``EXTERNAL_URL`` (or :data:`LOCAL_EXTERNAL_URL`), never the request's Host
    header: a forged Host must not point a reset link, a feed entry or an API link at
    another site.
    """
    base = current_app.config.get("EXTERNAL_URL") or LOCAL_EXTERNAL_URL
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        # A command or a background job: no request to build from, and none is needed,
        # as the host comes from the configuration alone.
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(base).rstrip("/") + path


def client_address() -> str:
    """The address of the client making this request, as the audit log records it."""
    return request.remote_addr or ""


def home_url() -> str:
    """Where people land after logging in or out: the ``HOME_ENDPOINT`` page."""
    return url_for(current_app.config.get("HOME_ENDPOINT", "forum.index"))


class TextConverter(UnicodeConverter):
    """Werkzeug's default path segment converter, refusing control characters.

    ``/user/a%00b`` names nothing (no username, token or slug holds a control character),
    so it is a 404, and never a NUL in a query, which PostgreSQL refuses.
    """

    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


def install_text_converter(app: Flask) -> None:
    """Make :class:`TextConverter` the converter of ``<name>`` and ``<string:name>``; call it
    before any URL rule is added."""
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter


def text_argument(values: Mapping[str, str], name: str, max_length: int) -> str:
    """A free-text query string parameter, stripped and cut to ``max_length``; a 400 when it
    holds control characters, which no search can be about."""
    value = values.get(name, "")
    if has_control_characters(value):
        abort(400, f"The {name} parameter holds control characters.")
    return value.strip()[:max_length]


def no_store(response: Response) -> Response:
    """Keep a private page out of shared caches and the back button of a browser someone
    else uses next (an ``after_request`` function of the blueprints that serve them)."""
    response.headers["Cache-Control"] = "no-store"
    return response

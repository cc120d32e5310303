"""Small HTTP helpers shared by every blueprint: the safe-redirect check and absolute URLs."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for

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
    return str(base).rstrip("/") + url_for(endpoint, **values)


def home_url() -> str:
    """Where people land after logging in or out: the ``HOME_ENDPOINT`` page."""
    return url_for(current_app.config.get("HOME_ENDPOINT", "forum.index"))

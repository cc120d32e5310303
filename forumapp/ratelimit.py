"""Binding the process-wide rate limiter to an app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from forumapp import settings
from forumapp.extensions import limiter
from forumapp.limit_storage import answer_storage_failures, storage_options


def bind_limiter(app: Flask) -> None:
    """Bind the shared limiter to ``app`` with this app's own storage, switches and
    default limits (see :class:`forumapp.extensions.PerAppLimiter`): other apps of the
    process, bound before or after, neither see nor change them.

    forumapp's defaults (in-memory counts, rate-limit headers on, short Redis timeouts)
    apply where the app's ``RATELIMIT_*`` settings are silent. They go to the limiter, not
    into ``app.config``: a host app that mounts the auth blueprint next to a limiter of its
    own keeps that limiter's configuration as it wrote it.
    """
    config = app.config
    defaults: dict[str, Any] = {"_storage_options": storage_options(config)}
    if not config.get("RATELIMIT_STORAGE_URI"):
        defaults["_storage_uri"] = settings.RATELIMIT_STORAGE_URI
    if "RATELIMIT_HEADERS_ENABLED" not in config:
        defaults["_headers_enabled"] = settings.RATELIMIT_HEADERS_ENABLED
    limiter.init_app(app, defaults)
    answer_storage_failures(app)

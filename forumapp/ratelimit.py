"""Binding the process-wide rate limiter to an app."""

from __future__ import annotations

from flask import Flask

from forumapp.extensions import limiter
from forumapp.limit_storage import answer_storage_failures, prepare_storage


def bind_limiter(app: Flask) -> None:
    """Bind the shared limiter to ``app`` with this app's own storage, switches and
    default limits (see :class:`forumapp.extensions.PerAppLimiter`): other apps of the
    process, bound before or after, neither see nor change them."""
    prepare_storage(app)
    limiter.init_app(app)
    answer_storage_failures(app)

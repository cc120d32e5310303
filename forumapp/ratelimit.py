"""Binding the process-wide rate limiter to an app."""

from __future__ import annotations

from flask import Flask

from forumapp.extensions import limiter
from forumapp.limit_storage import answer_storage_failures, prepare_storage


def bind_limiter(app: Flask) -> None:
    """Bind the shared limiter to ``app`` with this app's own default limits.

    Class-level ``decorators`` need one limiter object at import time, so every app in
    the process (test apps, an embedding host) shares it. Flask-Limiter keeps the default
    and application-wide limits of the first app it was bound to; they are cleared before
    each binding so that each app gets exactly what its configuration says.
    """
    prepare_storage(app)
    limiter.limit_manager.set_default_limits([])
    limiter.limit_manager.set_application_limits([])
    limiter.init_app(app)
    answer_storage_failures(app)

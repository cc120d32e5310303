"""Error pages in the site's look, for every HTTP error and for CSRF failures."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    410: "Gone",
    413: "Too much data",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    403: "You are not allowed to see this page.",
    404: "There is nothing here. The page may have been moved or deleted.",
    405: "This page cannot be used that way.",
    413: "What you sent is larger than this forum accepts.",
    429: "You have tried this too often. Please wait a little and try again.",
    500: "An unexpected error happened on our side. It has been logged; please try again later.",
}
CSRF_MESSAGE = (
    "The form expired or was not sent from this site. Go back, reload the page and try again."
)


#: ``app.extensions`` key of the URL prefixes whose errors another renderer answers.
RENDERERS = "forumapp.error_renderers"
Renderer = Callable[[HTTPException], ResponseReturnValue]


def register_renderer(app: App, prefix: str, renderer: Renderer) -> None:
    """Answer errors of URLs under ``prefix`` with ``renderer`` instead of an HTML page
    (the JSON API answers problem+json, even for URLs it does not know)."""
    app.extensions.setdefault(RENDERERS, {})[prefix] = renderer


def _renderer_for_path(path: str) -> Renderer | None:
    renderers: dict[str, Renderer] = current_app.extensions.get(RENDERERS, {})
    for prefix, renderer in renderers.items():
        if path.startswith(prefix):
            return renderer
    return None


def _page(code: int, message: str) -> str:
    return render_template(
        "errors/error.html", code=code, title=TITLES.get(code, "Error"), message=message
    )


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    """Render an HTTP error, keeping headers such as ``Allow`` and ``Retry-After``."""
    code = error.code or 500
    if code < 400:
        return error
    renderer = _renderer_for_path(request.path)
    if renderer is not None:
        return renderer(error)
    message = MESSAGES.get(code, "")
    # Descriptions set by forumapp's own abort() calls and limits with an error_message
    # are written for people; the limiter's default one is a limit expression.
    limit = getattr(error, "limit", None)
    written_for_people = limit is None or getattr(limit, "error_message", None)
    if written_for_people and error.description and error.description != type(error).description:
        message = error.description
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return _page(code, message), code, headers


def handle_csrf_error(_error: CSRFError) -> ResponseReturnValue:
    """A missing or stale CSRF token: a 400 page that says what to do."""
    return _page(400, CSRF_MESSAGE), 400


def handle_server_error(error: InternalServerError) -> ResponseReturnValue:
    """Log the original exception and show the 500 page."""
    log.error("Unhandled exception", exc_info=error.original_exception)
    renderer = _renderer_for_path(request.path)
    if renderer is not None:
        return renderer(error)
    return _page(500, MESSAGES[500]), 500


def install(app: Flask) -> None:
    """Register the handlers on ``app``."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)

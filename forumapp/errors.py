"""Error pages in the site's look, for every HTTP error and for CSRF failures."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, g, render_template, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

from forumapp.extensions import db, login_manager
from forumapp.lazy_text import lazy_gettext as _l

log = logging.getLogger(__name__)

TITLES = {
    400: _l("Bad request"),
    401: _l("Please log in"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    410: _l("Gone"),
    413: _l("Too much data"),
    422: _l("Not accepted"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
}
MESSAGES = {
    400: _l("The request could not be understood. Go back and try again."),
    403: _l("You are not allowed to see this page."),
    404: _l("There is nothing here. The page may have been moved or deleted."),
    405: _l("This page cannot be used that way."),
    413: _l("What you sent is larger than this forum accepts."),
    429: _l("You have tried this too often. Please wait a little and try again."),
    500: _l(
        "An unexpected error happened on our side. It has been logged; please try again later."
    ),
    503: _l(
        "Part of the forum is not answering just now. Nothing was changed; please try "
        "again in a few seconds."
    ),
}
#: Seconds a client is asked to wait when the database is unavailable.
RETRY_AFTER_SECONDS = 5
#: What a database that is down, busy past its lock timeout, read-only or out of
#: connections raises: the request answers 503, not 500.
DATABASE_UNAVAILABLE = (OperationalError, DisconnectionError, PoolTimeoutError)
CSRF_MESSAGE = _l(
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
        # "/api/v1" itself belongs to the "/api/v1/" prefix.
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return renderer
    return None


def _page(code: int, message: str) -> str:
    _settle_viewer(code)
    return render_template(
        "errors/error.html", code=code, title=TITLES.get(code, _l("Error")), message=message
    )


def _settle_viewer(code: int) -> None:
    """Decide whom the page greets (every page's layout shows it) so that rendering the
    page cannot fail on the database: after a server-side error the database is not
    asked at all, and when it fails otherwise the visitor is shown as a guest."""
    # Flask-Login keeps the request's user in g._login_user once loaded.
    if "_login_user" in g:
        return
    if code < 500:
        try:
            current_user._get_current_object()
            return
        except SQLAlchemyError:
            log.warning("Error page shown as to a guest: the user could not be loaded")
            _end_failed_transaction()
    login_manager._update_request_context_with_user(None)


def _end_failed_transaction() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("Rollback failed after a database error", exc_info=True)


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


def handle_untrusted_host(_error: SecurityError) -> ResponseReturnValue:
    """A Host outside ``TRUSTED_HOSTS``: a bare 400, since no URL can be built for it."""
    return "Unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def handle_database_unavailable(error: SQLAlchemyError) -> ResponseReturnValue:
    """The database is down, read-only or busy: a 503 page asking to retry shortly.

    The failed unit of work was rolled back; the request's transaction ends here too, so
    nothing half-done is committed later in the request.
    """
    log.error("Database unavailable: %s", error.__class__.__name__, exc_info=error)
    _end_failed_transaction()
    return handle_http_error(ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS))


def install(app: Flask) -> None:
    """Register the handlers on ``app``."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)

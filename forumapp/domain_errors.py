"""The one place where the services' domain exceptions become responses.

Views call services and let :class:`~forumapp.forum.errors.NotFound`, ``Forbidden``,
``InvalidInput``, ``Flooded`` and :class:`~forumapp.persistence.PersistenceError`
propagate; a blueprint opts in with one call, naming how it answers::

    answer_domain_errors(bp)                      # HTML: the app's error pages
    answer_domain_errors(bp, problem_for_refusal)  # JSON API: problem+json

Which status each exception means is decided here, once, as a :class:`Refusal`; the
responder only decides how a refusal looks. A view that handles a domain error itself
(a field error on its form, a flashed message) catches it before it gets here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, TooManyRequests, default_exceptions

from forumapp.forum.errors import Flooded, Forbidden, InvalidInput, NotFound
from forumapp.i18n.hosts import speak_without_babel
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import PersistenceError

#: The exceptions services raise to refuse a request.
DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    NotFound,
    Forbidden,
    InvalidInput,
    Flooded,
    PersistenceError,
)
#: What a write that lost a race to another one is told.
CONFLICT_REASON = _l("The change conflicts with another one made at the same time. Try again.")


@dataclass(frozen=True)
class Refusal:
    """A domain exception as HTTP sees it."""

    status: int
    #: Written for people; empty where the status's own wording says it all (404).
    reason: str = ""
    #: The form or body field refused (``InvalidInput``).
    field: str | None = None
    #: Seconds until a spent budget has room again (``Flooded``).
    retry_after: int | None = None


Responder = Callable[[Refusal], ResponseReturnValue]


def refusal_for(error: Exception) -> Refusal:
    """The status and reason a domain exception answers with.

    Services may give reasons as lazy gettext strings: they become text here, in the
    language of the request being answered."""
    match error:
        case NotFound():
            # What the actor may not see does not exist for them.
            return Refusal(404)
        case Forbidden(reason=reason):
            return Refusal(403, str(reason))
        case InvalidInput(field=field, reason=reason):
            return Refusal(422, str(reason), field=field)
        case Flooded(reason=reason, retry_after=retry_after):
            return Refusal(429, str(reason), retry_after=retry_after)
        case PersistenceError():
            return Refusal(409, str(CONFLICT_REASON))
    raise TypeError(f"{type(error).__name__} is not a domain error")


def http_error_for(refusal: Refusal) -> HTTPException:
    """The Werkzeug error a view would have raised with ``abort()`` for the refusal."""
    description = refusal.reason or None
    if refusal.status == 429:
        return TooManyRequests(description=description, retry_after=refusal.retry_after)
    return default_exceptions[refusal.status](description=description)


def error_page(refusal: Refusal) -> ResponseReturnValue:
    """Answer as ``abort()`` would: through the app's own handler for the HTTP error
    (forumapp's error pages, or a host app's), else Werkzeug's plain page."""
    # handle_http_exception returns the error itself when no handler is registered;
    # Flask turns it into Werkzeug's response.
    return current_app.handle_http_exception(http_error_for(refusal))


def answer_domain_errors(bp: Blueprint, responder: Responder = error_page) -> None:
    """Answer the domain exceptions raised by ``bp``'s views with ``responder``.

    Their reasons are gettext strings, like the texts of ``bp``'s pages: in a host app
    without Flask-Babel, ``bp`` brings English ones (:mod:`forumapp.i18n.hosts`)."""
    bp.record_once(speak_without_babel)

    def handle(error: Exception) -> ResponseReturnValue:
        return responder(refusal_for(error))

    for error_class in DOMAIN_ERRORS:
        bp.register_error_handler(error_class, handle)

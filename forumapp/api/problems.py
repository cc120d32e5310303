"""Errors as ``application/problem+json`` (RFC 9457), with field-level details.

Every error the API answers goes through :func:`problem_response`, whether a view raised
:class:`Problem` itself or Werkzeug raised an ``HTTPException`` (404 for an unknown URL,
405 with ``Allow``, 413, 429 from the rate limiter, ...).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response
from flask_babel import LazyString
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from forumapp.domain_errors import Refusal, answer_domain_errors
from forumapp.lazy_text import lazy_gettext as _l

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    """One refused input: where it was (``body``, ``query``, ``header``) and why."""

    location: str
    name: str
    #: For people: a plain or a lazy string, written out in the request's language.
    message: str | LazyString


@dataclass
class Problem(Exception):
    """An error the API reports to its caller; ``detail`` is written for people."""

    status: int
    #: For people: a plain or a lazy string, written out in the request's language.
    detail: str | LazyString
    errors: Sequence[FieldError] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    #: A stable identifier of the kind of problem, appended to the type URI.
    kind: str = ""

    def __post_init__(self) -> None:
        super().__init__(self.detail)


def status_kind(status: HTTPStatus) -> str:
    """The problem type named after an HTTP status: ``not-found``."""
    return status.phrase.lower().replace(" ", "-").replace("'", "")


def status_title(status: HTTPStatus) -> str:
    """The status's phrase in the request's language ("Not Found", "Nicht gefunden")."""
    return str(STATUS_TITLES.get(status.value, status.phrase))


def problem_document(problem: Problem) -> dict[str, Any]:
    """The JSON members of a problem: ``title``, ``detail`` and each error's ``detail`` in
    the request's language; ``type``, ``status`` and field names as the machine reads them."""
    status = HTTPStatus(problem.status)
    kind = problem.kind or status_kind(status)
    document: dict[str, Any] = {
        "type": f"/api/v1/problems/{kind}",
        "title": status_title(status),
        "status": status.value,
        "detail": str(problem.detail),
    }
    if problem.errors:
        document["errors"] = [
            {"in": error.location, "name": error.name, "detail": str(error.message)}
            for error in problem.errors
        ]
    return document


def problem_response(problem: Problem) -> Response:
    """A ``problem+json`` response; such responses are never cached."""
    response = Response(
        json.dumps(problem_document(problem)), status=problem.status, mimetype=PROBLEM_JSON
    )
    response.headers.update(problem.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


#: The ``title`` of the problems the API answers with: the HTTP status phrases, which
#: stay English only for a status the API never answers with.
STATUS_TITLES: dict[int, LazyString] = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    406: _l("Not Acceptable"),
    409: _l("Conflict"),
    412: _l("Precondition Failed"),
    413: _l("Request Entity Too Large"),
    415: _l("Unsupported Media Type"),
    422: _l("Unprocessable Entity"),
    428: _l("Precondition Required"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}

#: What the API says for errors that Werkzeug or an extension raised.
HTTP_DETAILS: dict[int, LazyString] = {
    400: _l("The request could not be understood."),
    401: _l("Authentication is required: a session cookie or an `Authorization: Bearer` token."),
    403: _l("You are not allowed to do this."),
    404: _l("There is no such resource, or you may not see it."),
    405: _l("This method is not allowed here; see the Allow header."),
    409: _l("The change conflicts with the current state of the resource."),
    412: _l("A precondition of the request (such as If-Match) does not hold."),
    413: _l("The request body is larger than this server accepts."),
    415: _l("Send the request body as application/json."),
    422: _l("Some fields are invalid; `errors` names each."),
    429: _l("Too many requests. Wait until the time in Retry-After, then try again."),
    500: _l("Something went wrong on our side; it is logged."),
    503: _l("The service is unavailable for a moment. Try again after Retry-After."),
}


def from_http_exception(error: HTTPException) -> Problem:
    """Translate a Werkzeug error, keeping headers such as ``Allow`` and ``Retry-After``."""
    status = error.code or 500
    detail: str | LazyString = HTTP_DETAILS.get(status, HTTPStatus(status).phrase + ".")
    if status in (403, 409, 503) and error.description != type(error).description:
        detail = error.description or detail  # forumapp's own abort() texts are for people
    if isinstance(error, RateLimitExceeded) and error.limit.error_message:
        detail = error.description or detail  # e.g. the flood control's own sentence
    headers = {key: value for key, value in error.get_headers() if key.lower() != "content-type"}
    return Problem(status, detail, headers=headers)


def problem_for_refusal(refusal: Refusal) -> Response:
    """A domain exception as a problem: what the caller may not see does not exist, a
    refused field is named in ``errors``, a spent flood-control budget says when to retry."""
    detail = refusal.reason or HTTP_DETAILS[refusal.status]
    errors = [FieldError("body", refusal.field, detail)] if refusal.field is not None else []
    headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after is not None else {}
    return problem_response(Problem(refusal.status, detail, errors=errors, headers=headers))


def answer_as_problems(bp: Blueprint) -> None:
    """Answer the :class:`Problem` and domain exceptions raised by ``bp``'s views as
    problem+json."""
    bp.register_error_handler(Problem, problem_response)
    answer_domain_errors(bp, problem_for_refusal)

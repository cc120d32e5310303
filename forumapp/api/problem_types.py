"""What each problem ``type`` means: the URIs in problem documents resolve to these.

RFC 9457 asks that a type URI, when dereferenced, describe the problem for people. Types
named after an HTTP status (``/api/v1/problems/not-found``) describe that status as the
API uses it; the others are forumapp's own and listed in :data:`PROBLEM_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask.views import View
from flask_babel import LazyString

from forumapp.api.conditional import json_response
from forumapp.api.problems import HTTP_DETAILS, Problem, status_kind, status_title
from forumapp.lazy_text import lazy_gettext as _l

#: forumapp's own problem types: their status and what they mean.
PROBLEM_TYPES: dict[str, tuple[int, LazyString]] = {
    "authentication-required": (
        401,
        _l(
            "The request needs a member: log in, or send a personal access token in "
            "`Authorization: Bearer <token>`."
        ),
    ),
    "invalid-token": (
        401,
        _l(
            "The `Authorization` header is not a Bearer token this site issued, or the token "
            "was revoked (a password change revokes every token)."
        ),
    ),
    "insufficient-scope": (
        403,
        _l("The token may only read. Create a token with the `write` scope to change things."),
    ),
    "csrf-token-missing": (
        403,
        _l(
            "A write with a browser session must carry the page's CSRF token in the "
            "`X-CSRFToken` header."
        ),
    ),
    "account-disabled": (
        403,
        _l("The account behind the token is banned or not activated; it may not use the API."),
    ),
    "precondition-failed": (
        412,
        _l(
            "The item changed since the version named in `If-Match`. GET it again, then repeat "
            "the change against the new `ETag`."
        ),
    ),
    "category-not-empty": (
        409,
        _l("A category with forums cannot be deleted. Move or delete its forums first."),
    ),
    "forum-not-empty": (
        409,
        _l(
            "A forum with topics cannot be deleted through the API. Move or remove its topics "
            "in the management panel first."
        ),
    ),
}


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem as its type URI describes it."""

    kind: str
    status: int
    title: str
    description: str


def problem_type(kind: str) -> ProblemType | None:
    """The description of ``kind``, or ``None`` when no problem has that type."""
    if kind in PROBLEM_TYPES:
        status, description = PROBLEM_TYPES[kind]
        return ProblemType(kind, status, status_title(HTTPStatus(status)), str(description))
    for status in HTTPStatus:
        if status.value >= 400 and status_kind(status) == kind:
            detail = HTTP_DETAILS.get(status.value, status.phrase + ".")
            return ProblemType(kind, status.value, status_title(status), str(detail))
    return None


class ProblemTypePage(View):
    """``GET /api/v1/problems/<kind>``: JSON by default, a short page for browsers."""

    init_every_request = False

    def dispatch_request(self, **url_values: str) -> ResponseReturnValue:
        described = problem_type(url_values["kind"])
        if described is None:
            raise Problem(404, _l("No problem has this type."))
        document = {
            "type": request.path,
            "title": described.title,
            "status": described.status,
            "description": described.description,
        }
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
            return render_template("api/problem_type.html", problem=document)
        response = json_response(request, document)
        response.headers["Cache-Control"] = "public, max-age=86400"
        # The title and description are in the caller's language.
        response.vary.add("Accept-Language")
        return response

"""Conditional requests: strong ETags on every representation, ``304`` for an unchanged
``If-None-Match``, ``412`` when ``If-Match`` names a version that is no longer current.

An ETag is a digest of the exact JSON the caller would receive, so it changes with every
change they could see (and differs between callers who see different things, such as a
moderator and a guest looking at a hidden post).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Request, Response

from forumapp.api.problems import Problem
from forumapp.lazy_text import lazy_gettext as _l

JSON = "application/json"


def representation(data: Any) -> bytes:
    """The canonical JSON bytes of a response body."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def etag_of(body: bytes) -> str:
    """A strong validator for ``body`` (without quotes)."""
    return hashlib.sha256(body).hexdigest()[:32]


def json_response(request: Request, data: Any, status: int = 200) -> Response:
    """A JSON response with a strong ETag; ``304`` when the caller already has it."""
    body = representation(data)
    response = Response(body, status=status, mimetype=JSON)
    response.set_etag(etag_of(body))
    # Representations depend on who asks; shared caches must not mix callers.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Authorization", "Cookie"))
    if status == 200 and request.method in ("GET", "HEAD"):
        response.make_conditional(request)
    return response


def check_if_match(request: Request, current: Any) -> None:
    """Refuse a change made against another version than ``current`` (412)."""
    if_match = request.if_match
    if not if_match or if_match.star_tag:
        return  # no precondition given, or "*": the resource exists, as it does here
    if not if_match.contains(etag_of(representation(current))):
        raise Problem(
            412,
            _l("The resource changed since you read it. GET it again, then repeat the change."),
            kind="precondition-failed",
        )

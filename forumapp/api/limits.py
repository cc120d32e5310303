"""The API's rate limits: per caller (token, member or address) and per client address,
shared by every endpoint, plus the forum's flood control on writing posts.

The answers carry ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``
(seconds) headers, and ``Retry-After`` on 429.
"""

from __future__ import annotations

import math
import time

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address

from forumapp.api.callers import current_caller
from forumapp.extensions import limiter
from forumapp.forum.limits import FLOOD_MESSAGE

#: Endpoints (without the blueprint prefix) whose writes are posts and so flood-controlled.
FLOOD_CONTROLLED = frozenset({"topics", "topic", "posts", "post"})


def _caller_key() -> str:
    return current_caller().rate_limit_key


def _poster_key() -> str:
    # Flood control follows the member, as on the web: each new token must not bring a
    # fresh budget of posts.
    user = current_caller().user
    return f"member:{user.id}" if user is not None else _caller_key()


def _not_flood_controlled() -> bool:
    return (request.endpoint or "").rpartition(".")[2] not in FLOOD_CONTROLLED


def _written(response: Response) -> bool:
    return response.status_code in (200, 201)


per_caller = limiter.shared_limit(
    lambda: str(current_app.config["API_RATE_LIMIT"]), scope="api-caller", key_func=_caller_key
)
per_address = limiter.shared_limit(
    lambda: str(current_app.config["API_ADDRESS_RATE_LIMIT"]),
    scope="api-address",
    key_func=get_remote_address,
)
#: The same budget as the web forms' flood control (``FORUM_POST_LIMIT``).
posting = limiter.shared_limit(
    lambda: str(current_app.config["FORUM_POST_LIMIT"]),
    scope="api-posting",
    key_func=_poster_key,
    methods=["POST", "PATCH"],
    deduct_when=_written,
    exempt_when=_not_flood_controlled,
    error_message=FLOOD_MESSAGE,
)


def add_rate_limit_headers(response: Response) -> Response:
    """Describe the tightest limit of this request in IETF ``RateLimit-*`` headers."""
    current = limiter.current_limit
    if current is None:
        return response
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(max(current.remaining, 0))
    # Flask-Limiter rounds reset_at up a second; the wait never exceeds the window.
    window = current.limit.get_expiry()
    reset = min(max(0, math.ceil(current.reset_at - time.time())), window)
    response.headers["RateLimit-Reset"] = str(reset)
    response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={window}"
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(reset, 1))
    return response

"""The API's rate limits: per caller (token, member or address) and per client address,
shared by every endpoint. Writing topics and posts also spends the member's flood-control
budget, the same one as the web forms (:mod:`forumapp.forum.limits`), in the posting service.

The answers carry ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``
(seconds) headers, and ``Retry-After`` on 429.
"""

from __future__ import annotations

import math
import time

from flask import Response, current_app
from flask_limiter.util import get_remote_address
from limits.errors import StorageError

from forumapp.api.callers import current_caller
from forumapp.extensions import limiter


def _caller_key() -> str:
    return current_caller().rate_limit_key


per_caller = limiter.shared_limit(
    lambda: str(current_app.config["API_RATE_LIMIT"]), scope="api-caller", key_func=_caller_key
)
per_address = limiter.shared_limit(
    lambda: str(current_app.config["API_ADDRESS_RATE_LIMIT"]),
    scope="api-address",
    key_func=get_remote_address,
)


def add_rate_limit_headers(response: Response) -> Response:
    """Describe the tightest limit of this request in IETF ``RateLimit-*`` headers."""
    current = limiter.current_limit
    if current is None:
        return response
    try:
        remaining, reset_at = current.remaining, current.reset_at
    except StorageError:
        # The storage went away after the request was counted: the answer stands.
        return response
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(max(remaining, 0))
    # Flask-Limiter rounds reset_at up a second; the wait never exceeds the window.
    window = current.limit.get_expiry()
    reset = min(max(0, math.ceil(reset_at - time.time())), window)
    response.headers["RateLimit-Reset"] = str(reset)
    response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={window}"
    # A flood-control refusal says itself when its budget has room again.
    if response.status_code == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(max(reset, 1))
    return response

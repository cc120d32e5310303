"""The rate limit of the setup page: setup codes typed per client address."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address

from forumapp.extensions import limiter


def _limit() -> str:
    return str(current_app.config["SETUP_LIMIT"])


#: Counts every submission, right or wrong: a code can only be guessed this many times.
setup_per_client = limiter.limit(
    _limit, key_func=lambda: "client:" + get_remote_address(), methods=["POST"]
)

"""What happens when the rate limiter's storage fails.

Counts live in Redis in production. When Redis is down or frozen the site must neither
stall nor fail: each storage call gives up after ``RATELIMIT_STORAGE_TIMEOUT`` seconds,
without retrying, and then

- reading goes on without limits (``forumapp.extensions.ReadsFailOpenLimiter``);
- anything that writes or checks a password is refused with a 503 in the site's own words
  (problem+json under ``/api/v1``): its budget cannot be kept, and every budget is taken
  before the work, so nothing was written. Logins are refused too: without the count of
  failed attempts, password guessing would be unlimited.

Writes and logins ask Redis every time, so they are counted there again as soon as it
answers; reads skip it for a second after each failure (``ReadsFailOpenLimiter``).

A request that Redis fails after it was counted is answered as done: the limiter forgets
a limit it can no longer read before Flask-Limiter describes it in headers
(``ReadsFailOpenLimiter.forget_unreadable_limit``), and budgets give back on a best-effort
basis.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask.typing import ResponseReturnValue
from limits.errors import StorageError
from werkzeug.exceptions import ServiceUnavailable

from forumapp import settings
from forumapp.config import ConfigError
from forumapp.extensions import limiter

#: URI schemes of the Redis (and Valkey) storages, which take socket options.
_REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel", "valkey")

#: What a refused request is told, and how many seconds it is told to wait.
UNAVAILABLE_MESSAGE = (
    "This cannot be done right now: the service that counts posts and login attempts is "
    "not answering. Nothing was saved. Please try again in a minute."
)
RETRY_AFTER_SECONDS = 30


class LimitStorageUnavailable(ServiceUnavailable):
    """A write or login was refused because its rate-limit count cannot be kept."""

    def __init__(self) -> None:
        super().__init__(description=UNAVAILABLE_MESSAGE, retry_after=RETRY_AFTER_SECONDS)


def answer_storage_failures(app: Flask) -> None:
    """After binding the limiter: answer a write or login whose count could not be kept
    with a 503, and finish a request the storage failed after it was counted."""
    app.register_error_handler(StorageError, refuse_while_storage_unavailable)
    # Registered after Flask-Limiter's hooks, so it runs before them.
    app.after_request(limiter.forget_unreadable_limit)


def storage_options(config: dict[str, Any]) -> dict[str, Any]:
    """Flask-Limiter's storage options: errors of every storage as ``StorageError``, and
    for Redis short timeouts and no retries. Flask-Limiter lays ``RATELIMIT_STORAGE_OPTIONS``
    over them when it binds."""
    options: dict[str, Any] = {"wrap_exceptions": True}
    scheme = str(config.get("RATELIMIT_STORAGE_URI") or "").partition("://")[0]
    if scheme in _REDIS_SCHEMES:
        # redis-py retries three times with growing pauses by default: about 10 s of a
        # worker per request while Redis is frozen.
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        timeout = float(config.get("RATELIMIT_STORAGE_TIMEOUT", settings.RATELIMIT_STORAGE_TIMEOUT))
        if not timeout > 0:
            raise ConfigError(
                f"RATELIMIT_STORAGE_TIMEOUT must be more than 0 seconds, not {timeout}"
            )
        options |= {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
        }
    return options


def refuse_while_storage_unavailable(error: StorageError) -> ResponseReturnValue:
    """The 503 of a write or login whose count could not be kept (see the module)."""
    current_app.logger.warning("Rate-limit storage unavailable: %s", error)
    return current_app.handle_http_exception(LimitStorageUnavailable())

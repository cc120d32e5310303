"""Budgets of failed attempts (logins, password confirmations) that hold under concurrency.

Flask-Limiter's ``deduct_when`` tests a limit before the request and counts the failure
after the response, so attempts in flight at the same moment all pass the test: with N
workers an attacker gets up to N-1 extra password guesses per window. A budget instead
takes one attempt before the password is checked, in one atomic step of the limiter's
storage (an ``INCR`` in Redis), and gives it back when the attempt succeeds. Only
failures stay counted, and no two requests can take the last attempt.

Giving back needs a strategy that can lower a count: Flask-Limiter's default
``fixed-window`` or ``sliding-window-counter``. With ``moving-window`` an attempt cannot
be given back, so successful attempts count too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, make_response, request
from flask.typing import ResponseReturnValue
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from werkzeug.exceptions import TooManyRequests

from forumapp.extensions import limiter

View = Callable[..., ResponseReturnValue]


def _succeeded(status_code: int) -> bool:
    """Whether an auth form's answer means the attempt worked: it redirects onwards."""
    return status_code == 302


class AttemptBudget:
    """A view decorator: POSTs may fail at most the configured number of times per key.

    ``config_key`` names a limit such as ``"5 per 5 minutes"``, read at request time;
    ``key`` names who is counted (a client address, an account); ``scope`` keeps budgets
    of different forms apart. The limiter's storage and strategy are used, so the count
    is shared by every worker when the storage is Redis. An exhausted budget raises
    ``refusal``, a 429 that a form may answer with a page of its own.
    """

    def __init__(
        self,
        scope: str,
        config_key: str,
        key: Callable[[], str],
        refusal: type[TooManyRequests] = TooManyRequests,
    ) -> None:
        self.scope = scope
        self.config_key = config_key
        self.key = key
        self.refusal = refusal

    def __call__(self, view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if request.method != "POST" or not limiter.enabled:
                return view(*args, **kwargs)
            item = parse(str(current_app.config[self.config_key]))
            # Flask-Limiter's key prefix keeps forums that share one Redis apart.
            prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "")
            identifiers = (prefix, "forumapp-auth", self.scope, self.key())
            strategy = limiter.limiter
            taken = strategy.hit(item, *identifiers)
            window_ends = strategy.get_window_stats(item, *identifiers).reset_time
            if not taken:
                raise self.refusal(retry_after=max(1, math.ceil(window_ends - time.time())))
            response = make_response(view(*args, **kwargs))
            # Giving back in a later window than the one taken from would leave that window
            # an attempt short of zero: one extra guess for every success timed to straddle.
            can_give_back = not isinstance(strategy, MovingWindowRateLimiter)
            if _succeeded(response.status_code) and can_give_back and time.time() < window_ends:
                _give_back(strategy, item, identifiers)
            return response

        return guarded


def _give_back(strategy: RateLimiter, item: RateLimitItem, identifiers: tuple[str, ...]) -> None:
    # The attempt has succeeded (a session exists): a storage that has gone away since
    # must not turn that into an error. The attempt then stays counted.
    try:
        strategy.hit(item, *identifiers, cost=-1)
    except StorageError:
        current_app.logger.warning("Could not give back a %s attempt", identifiers[2])

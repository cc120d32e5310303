"""Attempt budgets take an attempt before it is made, so attempts in flight at the same
moment cannot get past the limit, and give it back when the attempt succeeds.

The guarded view here holds every attempt that gets through until all have been let in
or refused: with a limit that is tested first and counted afterwards, all of them would
get through.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask, redirect, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from forumapp.auth.budgets import AttemptBudget

ATTEMPTS = 6
LIMIT = 3


#: The guarded view is the test's own, without a form or a CSRF token.
CONFIG = {"TEST_ATTEMPT_LIMIT": f"{LIMIT} per minute", "WTF_CSRF_ENABLED": False}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(CONFIG)


class HeldView:
    """A guarded view that counts the attempts let in and holds them until released."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entered = 0
        self.release = threading.Event()

    def __call__(self) -> Any:
        with self.lock:
            self.entered += 1
        if request.form.get("hold"):
            self.release.wait(timeout=10)
        time.sleep(float(request.form.get("sleep", 0)))
        if request.form.get("password") == "right":
            return redirect("/")
        return "wrong password"


def guarded_app(app: Flask, view: HeldView, key: str = "someone") -> Flask:
    budget = AttemptBudget("test", "TEST_ATTEMPT_LIMIT", lambda: key)
    app.add_url_rule("/attempt", "attempt", budget(view), methods=["GET", "POST"])
    return app


def post(app: Flask, **form: str) -> int:
    return app.test_client().post("/attempt", data=form).status_code


def test_simultaneous_attempts_cannot_get_past_the_budget(app: Flask) -> None:
    view = HeldView()
    guarded_app(app, view)
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        futures = [pool.submit(post, app, hold="yes") for _ in range(ATTEMPTS)]
        # Wait until every attempt has either been let in or refused, then let them finish.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            refused = sum(f.done() and f.result() == 429 for f in futures)
            if view.entered + refused >= ATTEMPTS:
                break
            time.sleep(0.01)
        view.release.set()
        statuses = sorted(f.result() for f in futures)

    assert view.entered == LIMIT
    assert statuses == [200] * LIMIT + [429] * (ATTEMPTS - LIMIT)


def test_successful_attempts_give_their_attempt_back(app: Flask) -> None:
    view = HeldView()
    guarded_app(app, view)
    assert [post(app, password="right") for _ in range(2 * LIMIT)] == [302] * (2 * LIMIT)
    assert [post(app) for _ in range(LIMIT + 1)] == [200] * LIMIT + [429]


@pytest.mark.parametrize("config_overrides", [{**CONFIG, "TEST_ATTEMPT_LIMIT": "3 per 2 seconds"}])
def test_a_success_that_outlasts_its_window_gives_nothing_back_to_the_next(app: Flask) -> None:
    guarded_app(app, HeldView())
    # Taken in one window, done in the next: giving back there would be a free attempt.
    assert post(app, password="right", sleep="2.2") == 302
    assert [post(app) for _ in range(LIMIT + 1)] == [200] * LIMIT + [429]


def test_an_exhausted_budget_refuses_the_right_password_too(app: Flask) -> None:
    guarded_app(app, HeldView())
    assert [post(app) for _ in range(LIMIT)] == [200] * LIMIT
    response = app.test_client().post("/attempt", data={"password": "right"})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_budgets_of_different_keys_are_apart(app: Flask) -> None:
    view = HeldView()
    guarded_app(app, view, key="first")
    other = AttemptBudget("test", "TEST_ATTEMPT_LIMIT", lambda: "second")
    app.add_url_rule("/other", "other", other(view), methods=["POST"])
    assert [post(app) for _ in range(LIMIT + 1)] == [200] * LIMIT + [429]
    assert app.test_client().post("/other").status_code == 200


def test_gets_are_not_counted(app: Flask) -> None:
    guarded_app(app, HeldView())
    client = app.test_client()
    assert [client.get("/attempt").status_code for _ in range(2 * LIMIT)] == [200] * (2 * LIMIT)
    assert [post(app) for _ in range(LIMIT + 1)] == [200] * LIMIT + [429]


def test_with_a_moving_window_successful_attempts_count_too(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A moving window cannot lower its count, as the budgets' docstring says. The process
    # keeps the strategy of the first app it made, so this test brings its own.
    moving = MovingWindowRateLimiter(MemoryStorage())
    monkeypatch.setattr(Limiter, "limiter", property(lambda _limiter: moving))
    guarded_app(app, HeldView())
    assert [post(app, password="right") for _ in range(LIMIT + 1)] == [302] * LIMIT + [429]

"""Who's online on the production profile: two app instances (two workers) sharing one
Redis count each other's guests, and a Redis that is down or frozen never breaks a page."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp import create_app
from forumapp.extensions import db
from forumapp.forum.factories import GUEST_COUNTER_KEY
from tests.conftest import base_config
from tests.faults.redis_server import FaultyRedis, running_redis

#: A frozen Redis is given up on after this many seconds.
TIMEOUT = 0.5


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[FaultyRedis]:
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def config_overrides(redis_server: FaultyRedis) -> dict[str, Any]:
    """Limits and guests in the test's own Redis, synced at every request."""
    return {
        "RATELIMIT_STORAGE_URI": redis_server.uri,
        "RATELIMIT_STORAGE_TIMEOUT": TIMEOUT,
        "PRESENCE_FLUSH_SECONDS": 0,
    }


@pytest.fixture
def second_worker(app: Flask, config_overrides: dict[str, Any]) -> Iterator[Flask]:
    """Another app instance on the same database, Redis and secret key."""
    worker = create_app({**base_config(app.config["SQLALCHEMY_DATABASE_URI"]), **config_overrides})
    yield worker
    # Its own connection pool: closed here, or PostgreSQL connections outlive the test.
    with worker.app_context():
        db.engine.dispose()


def guest(app: Flask, address: str) -> FlaskClient:
    """A guest at ``address`` who has seen a page of ``app`` (noted after its response)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert client.get("/").status_code == 200
    return client


def guests_shown(client: FlaskClient) -> int:
    """The guest count of the index ``client`` gets."""
    response = client.get("/")
    assert response.status_code == 200
    match = re.search(r"members? and (\d+) guests? in the last", response.get_data(as_text=True))
    assert match, "no who's online box"
    return int(match.group(1))


def one_guest_each(app: Flask, second_worker: Flask) -> FlaskClient:
    """A guest on each worker; returns the first worker's, who sees both."""
    guest(second_worker, "10.0.0.9")
    first = guest(app, "10.0.0.1")
    assert guests_shown(first) == 2
    return first


def test_two_workers_sharing_redis_see_each_others_guests(app: Flask, second_worker: Flask) -> None:
    first = guest(app, "10.0.0.1")
    assert guests_shown(first) == 1
    guest(second_worker, "10.0.0.2")
    assert guests_shown(guest(second_worker, "10.0.0.3")) == 3
    # The first worker sees the other's two guests; the same guest counts once.
    assert guests_shown(first) == 3
    assert guests_shown(guest(second_worker, "10.0.0.1")) == 3


def test_with_redis_stopped_pages_show_the_workers_own_guests(
    app: Flask, second_worker: Flask, redis_server: FaultyRedis, caplog: pytest.LogCaptureFixture
) -> None:
    first = one_guest_each(app, second_worker)
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="forumapp.forum.guests_redis"):
        guest(app, "10.0.0.2")
        assert guests_shown(first) == 2  # its own two: the other worker's is out of reach
    assert "Redis did not answer" in caplog.text
    redis_server.start()  # empty: the other worker's guest comes back with its next visit
    assert guests_shown(first) == 2


def test_with_redis_frozen_pages_show_the_workers_own_guests(
    app: Flask, second_worker: Flask, redis_server: FaultyRedis, caplog: pytest.LogCaptureFixture
) -> None:
    first = one_guest_each(app, second_worker)
    redis_server.freeze()
    try:
        with caplog.at_level(logging.WARNING, logger="forumapp.forum.guests_redis"):
            guest(app, "10.0.0.2")
            assert guests_shown(first) == 2
        assert "Redis did not answer" in caplog.text
    finally:
        redis_server.thaw()
    assert guests_shown(first) == 3


class FixedGuests:
    """A host app's own guest counter: always 41 guests, and what it was told."""

    def __init__(self) -> None:
        self.seen_addresses: list[str] = []

    def seen(self, address: str) -> None:
        self.seen_addresses.append(address)

    def forget(self, address: str) -> None:
        """Nothing to forget."""

    def count(self) -> int:
        return 41


def test_a_host_apps_own_guest_counter_is_used(app: Flask) -> None:
    counter = FixedGuests()
    app.extensions[GUEST_COUNTER_KEY] = counter
    visitor = guest(app, "10.0.0.5")
    assert guests_shown(visitor) == 41
    assert counter.seen_addresses[0] == "10.0.0.5"

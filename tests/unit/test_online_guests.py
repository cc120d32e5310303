"""The guest counters without Flask: the worker's own (memory) and the shared one, against
a real ``redis-server`` of the test's own (stopped, frozen and started again)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from forumapp.forum.guests import GuestCounter, MemoryGuestCounter
from forumapp.forum.guests_redis import (
    GUESTS_KEY,
    RedisGuestCounter,
    address_key,
    redis_client,
)
from tests.fakes import FixedClock
from tests.faults.redis_server import FaultyRedis, running_redis

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
SYNC_EVERY = timedelta(minutes=1)
#: Short enough for a frozen Redis, long enough for a loaded machine's live one.
TIMEOUT = 0.5


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[FaultyRedis]:
    with running_redis(tmp_path) as server:
        yield server


def shared_counter(
    server: FaultyRedis, clock: FixedClock, secret: str = "s3cret"
) -> RedisGuestCounter:
    """One worker's counter on ``server``, syncing once a minute."""
    return RedisGuestCounter(
        redis_client(server.uri, TIMEOUT), address_key(secret), clock, WINDOW, SYNC_EVERY
    )


def commands_processed(probe: Redis) -> int:
    """The commands ``probe``'s server has processed so far (INFO itself included)."""
    return int(probe.info("stats")["total_commands_processed"])


def test_the_memory_counter_counts_each_address_once_within_the_window() -> None:
    clock = FixedClock(T0)
    counter: GuestCounter = MemoryGuestCounter(clock, WINDOW)
    counter.seen("10.0.0.1")
    counter.seen("10.0.0.2")
    counter.seen("10.0.0.1")
    counter.forget("10.0.0.2")
    assert counter.count() == 1
    clock.advance(minutes=16)
    assert counter.count() == 0


def test_workers_sharing_redis_count_each_others_guests_once(redis_server: FaultyRedis) -> None:
    clock = FixedClock(T0)
    first, second = shared_counter(redis_server, clock), shared_counter(redis_server, clock)
    first.seen("10.0.0.1")
    first.seen("10.0.0.2")
    second.seen("10.0.0.2")  # the same guest, served by the other worker
    second.seen("10.0.0.3")
    clock.advance(minutes=1)
    # Each writes what it saw since its last sync and reads the sum of everyone's.
    assert second.count() == 3
    assert first.count() == 3


def test_a_member_logging_in_stops_their_address_counting_as_a_guest(
    redis_server: FaultyRedis,
) -> None:
    clock = FixedClock(T0)
    first, second = shared_counter(redis_server, clock), shared_counter(redis_server, clock)
    first.seen("10.0.0.1")
    first.seen("10.0.0.2")
    clock.advance(minutes=1)
    assert first.count() == 2
    second.forget("10.0.0.1")
    clock.advance(minutes=1)
    assert second.count() == 1


def test_guests_older_than_the_window_are_no_longer_counted(redis_server: FaultyRedis) -> None:
    clock = FixedClock(T0)
    counter = shared_counter(redis_server, clock)
    counter.seen("10.0.0.1")
    clock.advance(minutes=10)
    counter.seen("10.0.0.2")
    clock.advance(minutes=6)
    assert counter.count() == 1


def test_redis_never_holds_an_address(redis_server: FaultyRedis) -> None:
    clock = FixedClock(T0)
    shared_counter(redis_server, clock).seen("203.0.113.7")
    shared_counter(redis_server, clock, secret="another site").seen("203.0.113.7")
    stored = Redis.from_url(redis_server.uri, decode_responses=True).zrange(GUESTS_KEY, 0, -1)
    members = [str(member) for member in stored]
    assert len(members) == 2  # keyed by the secret: not a plain hash anyone can recompute
    assert not any("203" in member or "113" in member for member in members)


def test_the_count_is_read_from_redis_once_per_flush_interval(redis_server: FaultyRedis) -> None:
    clock = FixedClock(T0)
    counter = shared_counter(redis_server, clock)
    counter.seen("10.0.0.1")
    probe = Redis.from_url(redis_server.uri)
    first = commands_processed(probe)
    idle = commands_processed(probe) - first  # what measuring alone costs
    before = commands_processed(probe)
    for n in range(200):
        counter.seen(f"10.0.1.{n}")
        counter.count()
    assert commands_processed(probe) - before == idle
    clock.advance(minutes=1)
    assert counter.count() == 201


def test_a_stopped_redis_falls_back_to_the_workers_own_count_and_catches_up(
    redis_server: FaultyRedis, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(T0)
    counter, other = shared_counter(redis_server, clock), shared_counter(redis_server, clock)
    other.seen("10.0.0.9")
    clock.advance(minutes=1)
    assert other.count() == 1
    redis_server.stop()
    counter.seen("10.0.0.1")
    counter.seen("10.0.0.2")
    with caplog.at_level(logging.WARNING, logger="forumapp.forum.guests_redis"):
        assert counter.count() == 2  # its own two: the other worker's guest is out of reach
    assert "Redis did not answer" in caplog.text
    redis_server.start()  # empty again: what it held is lost
    other.seen("10.0.0.9")
    clock.advance(minutes=1)
    assert other.count() == 1
    assert counter.count() == 3  # the batch kept during the outage is written now


def test_a_frozen_redis_falls_back_to_the_workers_own_count(
    redis_server: FaultyRedis, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(T0)
    counter = shared_counter(redis_server, clock)
    counter.seen("10.0.0.1")
    redis_server.freeze()
    try:
        clock.advance(minutes=1)
        with caplog.at_level(logging.WARNING, logger="forumapp.forum.guests_redis"):
            counter.seen("10.0.0.2")
            assert counter.count() == 2
            # Within the interval nobody waits for it again.
            assert [r.levelname for r in caplog.records] == ["WARNING"]
    finally:
        redis_server.thaw()
    clock.advance(minutes=1)
    assert counter.count() == 2
    assert Redis.from_url(redis_server.uri).zcard(GUESTS_KEY) == 2

"""Jobs the broker lost (queued, never claimed) are handed over again, with an in-memory
outbox and a fake clock: once per window, never twice to the same effect."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from forumapp.jobs.models import DONE, QUEUED
from forumapp.jobs.queue import UNCLAIMED_FLOOR, unclaimed_after
from forumapp.jobs.services import JobFailed
from forumapp.persistence import atomic
from tests.unit.test_jobs import World

EMAIL = {"to": "ann@example.org"}
WINDOW = timedelta(minutes=15)


def lost_job(world: World) -> int:
    """Enqueue a job and let the broker lose it (a restarted Redis, a deleted file)."""
    world.queue.enqueue("mail", EMAIL)
    (job_id,) = world.broker.sent
    world.broker.sent = []
    return job_id


def test_a_job_the_broker_lost_is_handed_over_again_after_the_window_and_sent_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World()
    job_id = lost_job(world)
    assert world.store.rows[job_id].queued_at == world.clock()

    world.clock.advance(minutes=14, seconds=59)
    assert world.relay.relay_unclaimed(WINDOW) == 0
    world.clock.advance(seconds=2)
    with caplog.at_level(logging.WARNING, logger="forumapp.jobs"):
        assert world.relay.relay_unclaimed(WINDOW) == 1

    assert world.broker.sent == [job_id]
    assert f"Job {job_id} handed to the job queue again" in caplog.text
    # The window starts again: the next relays leave it to the worker it was handed to.
    assert world.store.rows[job_id].queued_at == world.clock()
    assert world.relay.relay_unclaimed(WINDOW) == 0
    world.run_sent()
    assert world.mailbox.sent == [EMAIL]
    assert (world.store.rows[job_id].state, world.store.rows[job_id].attempts) == (DONE, 1)


def test_a_job_that_was_only_waiting_is_handed_over_twice_and_still_sent_once() -> None:
    world = World()
    world.queue.enqueue("mail", EMAIL)
    (job_id,) = world.broker.sent
    # Behind a long backlog, it is still in the broker when the window passes.
    world.clock.advance(minutes=16)
    assert world.relay.relay_unclaimed(WINDOW) == 1

    world.run_sent()
    world.runner.run(job_id, last_attempt=True)

    assert world.mailbox.sent == [EMAIL]
    assert world.store.rows[job_id].attempts == 1


def test_a_job_waiting_for_its_retry_counts_from_the_failed_attempt() -> None:
    world = World(failures=1)
    job_id = lost_job(world)
    world.clock.advance(minutes=20)
    with pytest.raises(JobFailed):
        world.runner.run(job_id, last_attempt=False)
    assert world.store.rows[job_id].state == QUEUED

    # Its retry waits in the broker: not lost until a whole window after that attempt.
    world.clock.advance(minutes=10)
    assert world.relay.relay_unclaimed(WINDOW) == 0
    world.clock.advance(minutes=6)
    assert world.relay.relay_unclaimed(WINDOW) == 1
    world.run_sent()
    assert world.mailbox.sent == [EMAIL]


def test_jobs_that_ran_or_run_or_wait_for_an_admin_are_never_handed_over_again() -> None:
    world = World(failures=1)
    failed = lost_job(world)
    world.runner.run(failed, last_attempt=True)
    done = lost_job(world)
    world.runner.run(done, last_attempt=True)
    running = lost_job(world)
    with atomic(world.transaction):
        world.store.claim(running, world.clock(), world.clock() + timedelta(hours=2))

    world.clock.advance(hours=1)

    assert world.relay.relay_unclaimed(WINDOW) == 0
    assert world.broker.sent == []


def test_a_lost_job_whose_broker_is_down_stays_queued_for_the_next_relay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World()
    job_id = lost_job(world)
    world.clock.advance(minutes=16)
    world.broker.down = True

    with caplog.at_level(logging.WARNING, logger="forumapp.jobs"):
        assert world.relay.relay_unclaimed(WINDOW) == 0
    assert "lost by the job queue, is refused by it" in caplog.text
    assert world.store.rows[job_id].state == QUEUED

    world.broker.down = False
    world.clock.advance(minutes=1)
    assert world.relay.relay_unclaimed(WINDOW) == 1
    world.run_sent()
    assert world.mailbox.sent == [EMAIL]


@pytest.mark.parametrize(
    ("retries", "delay", "window"),
    [
        (5, 30, timedelta(minutes=16)),  # the defaults: the last retry waits 8 minutes
        (2, 30, UNCLAIMED_FLOOR),
        (0, 30, UNCLAIMED_FLOOR),
        (8, 60, timedelta(seconds=2 * 60 * 2**7)),  # the last retry waits 2 h 8 min
    ],
)
def test_the_window_outlasts_every_retry_delay(
    retries: int, delay: float, window: timedelta
) -> None:
    assert unclaimed_after(retries, delay) == window

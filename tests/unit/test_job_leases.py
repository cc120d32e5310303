"""Job leases with an in-memory outbox and a fake clock: a job whose worker died is taken
back and run again, and a worker that outlived its lease records nothing."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from forumapp.jobs.models import DONE, FAILED, PENDING, QUEUED, RUNNING
from forumapp.jobs.ports import JobKind, JobRecord, Lease
from forumapp.jobs.services import JobRunner
from forumapp.persistence import atomic
from tests.unit.test_jobs import World

EMAIL = {"to": "ann@example.org"}


def killed_mid_run(world: World) -> JobRecord:
    """Enqueue a job and claim it as a worker would, then 'kill' that worker: the row is
    left running and nothing else happens."""
    world.queue.enqueue("mail", EMAIL)
    (job_id,) = world.broker.sent
    world.broker.sent = []
    with atomic(world.transaction):
        job = world.store.claim(job_id, world.clock(), world.clock() + world.terms.lease)
    assert job is not None
    return job


def runner_with(world: World, kind: JobKind) -> JobRunner:
    """A runner of ``world`` whose mail jobs do what ``kind`` says."""
    return JobRunner(world.store, world.transaction, world.clock, {"mail": kind}, world.terms)


def test_a_claim_holds_a_lease_of_the_configured_length_from_now() -> None:
    world = World()

    job = killed_mid_run(world)

    assert job.state == RUNNING
    assert job.lease_expires_at == world.clock() + timedelta(minutes=5)
    assert job.claims == 1


def test_a_job_whose_worker_died_is_taken_back_after_its_lease_and_runs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World()
    job = killed_mid_run(world)

    world.clock.advance(minutes=4, seconds=59)
    assert world.keeper.take_back_lapsed() == []
    world.clock.advance(seconds=2)
    with caplog.at_level(logging.WARNING, logger="forumapp.jobs"):
        (taken,) = world.keeper.take_back_lapsed()

    assert taken.id == job.id
    row = world.store.rows[job.id]
    assert (row.state, row.attempts, row.lease_lost_at) == (PENDING, 1, world.clock())
    assert (row.error or "").startswith("LeaseExpired: its worker stopped during attempt 1")
    assert f"Job {job.id} (mail) runs again" in caplog.text
    assert world.relay.relay_pending() == 1
    world.run_sent()
    assert world.mailbox.sent == [EMAIL]
    assert (world.store.rows[job.id].state, world.store.rows[job.id].attempts) == (DONE, 2)
    # Nothing is left to take back, and the finished job is not run again.
    assert world.keeper.take_back_lapsed() == []
    assert world.runner.run(job.id, last_attempt=True) is False


def test_a_job_whose_every_attempt_died_fails_for_good_and_tells_its_kind() -> None:
    world = World(max_attempts=1)
    job = killed_mid_run(world)

    world.clock.advance(minutes=6)
    world.keeper.take_back_lapsed()

    (failed,) = world.failed.listing()
    assert (failed.id, failed.state) == (job.id, FAILED)
    assert world.mailbox.given_up == [(EMAIL, failed.error)]
    assert world.relay.relay_pending() == 0


def test_a_job_taken_back_counts_its_attempt_toward_the_last_one() -> None:
    world = World(failures=1, max_attempts=2)
    job = killed_mid_run(world)
    world.clock.advance(minutes=6)
    world.keeper.take_back_lapsed()
    world.relay.relay_pending()

    # The broker would retry, but the dead worker's attempt was the first of two.
    world.run_sent(last_attempt=False)

    assert world.store.rows[job.id].state == FAILED
    assert len(world.mailbox.given_up) == 1


def test_a_late_finisher_cannot_overwrite_the_claim_that_replaced_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World()
    world.queue.enqueue("mail", EMAIL)
    (job_id,) = world.broker.sent
    outcomes: list[bool] = []

    def slow(payload: Mapping[str, Any]) -> None:
        # While the first worker is stuck, its lease lapses and a second worker claims the
        # job and, being slow too, is still running it when the first one finishes.
        world.clock.advance(minutes=6)
        world.keeper.take_back_lapsed()
        with atomic(world.transaction):
            second = world.store.claim(job_id, world.clock(), world.clock() + world.terms.lease)
        outcomes.append(second is not None)

    with caplog.at_level(logging.WARNING, logger="forumapp.jobs"):
        assert runner_with(world, JobKind(run=slow)).run(job_id, last_attempt=True) is False

    assert outcomes == [True]
    row = world.store.rows[job_id]
    assert (row.state, row.claims, row.attempts) == (RUNNING, 2, 2)
    assert f"Job {job_id} (mail) succeeded after its lease lapsed" in caplog.text


def test_a_late_failure_neither_overwrites_the_newer_claim_nor_asks_for_a_retry() -> None:
    world = World()
    world.queue.enqueue("mail", EMAIL)
    (job_id,) = world.broker.sent

    def stuck_then_refused(payload: Mapping[str, Any]) -> None:
        world.clock.advance(minutes=6)
        world.keeper.take_back_lapsed()
        world.relay.relay_pending()
        world.runner.run(job_id, last_attempt=True)
        raise ConnectionRefusedError(111, "Connection refused")

    late = runner_with(world, JobKind(run=stuck_then_refused))
    assert late.run(job_id, last_attempt=False) is False

    row = world.store.rows[job_id]
    assert (row.state, row.error) == (DONE, None)
    assert world.mailbox.sent == [EMAIL]


def test_a_long_job_renews_its_lease_and_is_not_taken_back() -> None:
    world = World()
    world.queue.enqueue("mail", EMAIL)
    (job_id,) = world.broker.sent
    renewals: list[bool] = []
    taken_back: list[list[JobRecord]] = []

    def long_job(payload: Mapping[str, Any], lease: Lease) -> None:
        for _ in range(3):
            world.clock.advance(minutes=4)
            renewals.append(lease.renew())
            taken_back.append(world.keeper.take_back_lapsed())

    runner = runner_with(world, JobKind(run_leased=long_job))
    assert runner.run(job_id, last_attempt=True) is True

    assert renewals == [True, True, True]
    assert taken_back == [[], [], []]
    assert world.store.rows[job_id].state == DONE


def test_a_lease_renewed_too_late_is_refused() -> None:
    world = World()
    world.queue.enqueue("mail", EMAIL)
    (job_id,) = world.broker.sent
    renewals: list[bool] = []

    def forgetful(payload: Mapping[str, Any], lease: Lease) -> None:
        world.clock.advance(minutes=6)
        world.keeper.take_back_lapsed()
        renewals.append(lease.renew())

    runner_with(world, JobKind(run_leased=forgetful)).run(job_id, last_attempt=True)

    assert renewals == [False]
    assert world.store.rows[job_id].state == PENDING


def test_a_row_claimed_before_leases_existed_is_taken_back_one_lease_after_it_started() -> None:
    world = World()
    job = killed_mid_run(world)
    world.store.rows[job.id] = replace(job, lease_expires_at=None)

    world.clock.advance(minutes=4)
    assert world.keeper.overdue() == []
    world.clock.advance(minutes=2)
    (overdue,) = world.keeper.overdue()

    assert overdue.id == job.id
    assert [taken.id for taken in world.keeper.take_back_lapsed()] == [job.id]
    assert world.store.rows[job.id].state == PENDING


def test_a_job_finished_in_time_is_never_taken_back() -> None:
    world = World()
    world.queue.enqueue("mail", EMAIL)
    world.run_sent()

    world.clock.advance(days=1)

    assert world.keeper.take_back_lapsed() == []
    assert world.mailbox.sent == [EMAIL]


def test_a_failed_attempt_waiting_for_its_retry_is_not_taken_back() -> None:
    world = World(failures=1)
    world.queue.enqueue("mail", EMAIL)
    with pytest.raises(Exception, match="Connection refused"):
        world.run_sent(last_attempt=False)

    world.clock.advance(days=1)

    assert world.keeper.take_back_lapsed() == []
    assert next(iter(world.store.rows.values())).state == QUEUED


def test_a_kind_of_job_has_exactly_one_body() -> None:
    with pytest.raises(ValueError, match="either run or run_leased"):
        JobKind()
    with pytest.raises(ValueError, match="either run or run_leased"):
        JobKind(run=lambda payload: None, run_leased=lambda payload, lease: None)

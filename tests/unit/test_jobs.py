"""The job services with an in-memory outbox and broker: no Flask, no database, no Huey."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from forumapp.jobs.models import DISCARDED, DONE, FAILED, PENDING, QUEUED
from forumapp.jobs.ports import JobKind
from forumapp.jobs.services import (
    FailedJobs,
    JobFailed,
    JobRunner,
    LeaseKeeper,
    LeaseTerms,
    OutboxQueue,
    Relay,
)
from forumapp.persistence import atomic
from tests.fakes import FixedClock
from tests.job_fakes import FakeBroker, InMemoryJobStore, OutboxTransaction


class Mailbox:
    """A kind of job that 'sends' its payload, failing while ``failures`` is positive."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[Mapping[str, Any]] = []
        self.given_up: list[tuple[Mapping[str, Any], str]] = []
        self.failures = failures

    def run(self, payload: Mapping[str, Any]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        self.sent.append(payload)

    def kind(self) -> JobKind:
        return JobKind(run=self.run, given_up=lambda p, reason: self.given_up.append((p, reason)))


class World:
    """An outbox, its unit of work, a broker that runs what it is handed, and a mailbox."""

    def __init__(self, failures: int = 0, max_attempts: int = 6) -> None:
        self.store = InMemoryJobStore()
        self.transaction = OutboxTransaction(self.store)
        self.broker = FakeBroker()
        self.clock = FixedClock()
        self.mailbox = Mailbox(failures)
        self.relay = Relay(self.store, self.transaction, self.broker, self.clock)
        self.queue = OutboxQueue(
            self.store,
            self.transaction,
            self.clock,
            self.relay.relay_pending,
            self.transaction.after_commit,
        )
        kinds = {"mail": self.mailbox.kind()}
        self.terms = LeaseTerms(lease=timedelta(minutes=5), max_attempts=max_attempts)
        self.runner = JobRunner(self.store, self.transaction, self.clock, kinds, self.terms)
        self.keeper = LeaseKeeper(self.store, self.transaction, self.clock, kinds, self.terms)
        self.failed = FailedJobs(self.store, self.transaction, self.relay.relay_pending)

    def run_sent(self, *, last_attempt: bool = True) -> None:
        """What a worker does with everything the broker received."""
        sent, self.broker.sent = self.broker.sent, []
        for job_id in sent:
            self.runner.run(job_id, last_attempt=last_attempt)


def test_a_job_enqueued_outside_a_unit_of_work_is_committed_and_relayed_at_once() -> None:
    world = World()

    world.queue.enqueue("mail", {"to": "ann@example.org"})

    (job,) = world.store.rows.values()
    assert json.loads(job.payload) == {"to": "ann@example.org"}
    assert world.transaction.commits >= 1
    assert world.broker.sent == [job.id]
    assert world.store.rows[job.id].state == QUEUED


def test_a_job_enqueued_in_a_unit_of_work_waits_for_its_commit() -> None:
    world = World()

    with atomic(world.transaction):
        world.queue.enqueue("mail", {"to": "ann@example.org"})
        assert world.broker.sent == []
        assert world.store.rows == {}

    assert len(world.broker.sent) == 1


def test_a_rolled_back_change_enqueues_nothing() -> None:
    world = World()

    def failing_change() -> None:
        with atomic(world.transaction):
            world.queue.enqueue("mail", {"to": "ann@example.org"})
            raise RuntimeError("the change fails after the job was enqueued")

    with pytest.raises(RuntimeError):
        failing_change()
    # The next unit of work commits (and fires the hook the failed one left behind).
    with atomic(world.transaction):
        pass

    assert world.store.rows == {}
    assert world.broker.sent == []
    world.run_sent()
    assert world.mailbox.sent == []


def test_a_job_the_broker_refuses_stays_pending_and_is_relayed_later() -> None:
    world = World()
    world.broker.down = True

    world.queue.enqueue("mail", {"to": "ann@example.org"})

    (job,) = world.store.rows.values()
    assert job.state == PENDING
    world.broker.down = False
    assert world.relay.relay_pending() == 1
    world.run_sent()
    assert world.mailbox.sent == [{"to": "ann@example.org"}]


def test_a_job_handed_over_twice_runs_once() -> None:
    world = World()
    world.queue.enqueue("mail", {"to": "ann@example.org"})
    (job_id,) = world.broker.sent

    assert world.runner.run(job_id, last_attempt=True) is True
    assert world.runner.run(job_id, last_attempt=True) is False

    assert world.mailbox.sent == [{"to": "ann@example.org"}]
    assert world.store.rows[job_id].state == DONE


def test_a_failed_attempt_is_given_back_for_a_retry_that_sends_once() -> None:
    world = World(failures=1)
    world.queue.enqueue("mail", {"to": "ann@example.org"})
    (job_id,) = world.broker.sent

    with pytest.raises(JobFailed, match="Connection refused"):
        world.runner.run(job_id, last_attempt=False)
    assert world.store.rows[job_id].state == QUEUED
    assert world.runner.run(job_id, last_attempt=True) is True
    # A retry that arrives after the job succeeded (a broker redelivery) sends nothing.
    assert world.runner.run(job_id, last_attempt=True) is False

    assert world.mailbox.sent == [{"to": "ann@example.org"}]
    assert world.store.rows[job_id].attempts == 2


def test_the_last_failed_attempt_keeps_the_error_and_tells_the_kind() -> None:
    world = World(failures=1)
    world.queue.enqueue("mail", {"to": "ann@example.org"})

    world.run_sent(last_attempt=True)

    (job,) = world.failed.listing()
    assert job.state == FAILED
    assert job.error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert world.mailbox.given_up == [({"to": "ann@example.org"}, job.error)]


def test_a_failed_job_retried_by_an_admin_runs_again_once() -> None:
    world = World(failures=1)
    world.queue.enqueue("mail", {"to": "ann@example.org"})
    world.run_sent()
    (job,) = world.failed.listing()

    assert world.failed.retry(job.id) is True
    assert world.failed.retry(job.id) is False
    world.run_sent()

    assert world.mailbox.sent == [{"to": "ann@example.org"}]
    assert world.failed.listing() == []


def test_a_discarded_job_never_runs() -> None:
    world = World(failures=1)
    world.queue.enqueue("mail", {"to": "ann@example.org"})
    world.run_sent()
    (job,) = world.failed.listing()

    assert world.failed.discard(job.id) is True
    assert world.runner.run(job.id, last_attempt=True) is False

    assert world.store.rows[job.id].state == DISCARDED
    assert world.mailbox.sent == []


def test_a_job_of_an_unknown_kind_fails_with_its_name() -> None:
    world = World()
    world.queue.enqueue("digest", {})

    world.run_sent()

    (job,) = world.failed.listing()
    assert job.error == "UnknownJobKind: digest"

"""The job services: enqueue through the outbox, relay it to the broker, run a job once.

A job is a row first (:mod:`forumapp.jobs.models`), written in the unit of work of the
change that causes it, and handed to the broker only once that commits: a change that
rolls back enqueues nothing, and a broker that is down at commit time loses nothing (the
row stays pending until a later relay). Workers claim a row before running it, so a job
handed over twice, or retried after it succeeded, runs once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from forumapp.jobs.ports import Broker, JobKind, JobRecord, JobStore
from forumapp.mail import printable
from forumapp.persistence import Transaction, atomic, in_unit_of_work

log = logging.getLogger(__name__)

#: Rows one relay hands over at most; the rest wait for the next one.
RELAY_BATCH = 500
ERROR_MAX_LENGTH = 500


class OutboxQueue:
    """Enqueues a job as an outbox row (see :class:`forumapp.jobs.ports.JobQueue`).

    Inside an :func:`~forumapp.persistence.atomic` block the row joins that unit of work
    and is relayed once it commits (``after_commit`` registers the relay); outside one it
    is committed at once, in a unit of work of its own, and relayed.
    """

    def __init__(
        self,
        store: JobStore,
        transaction: Transaction,
        clock: Callable[[], datetime],
        relay: Callable[[], object],
        after_commit: Callable[[Callable[[], object]], None],
    ) -> None:
        self._store = store
        self._transaction = transaction
        self._clock = clock
        self._relay = relay
        self._after_commit = after_commit

    def enqueue(self, kind: str, payload: Mapping[str, Any]) -> None:
        """Record the job; it reaches the workers after the caller's unit of work commits."""
        data = json.dumps(payload)
        if in_unit_of_work():
            self._store.add(kind, data, self._clock())
            self._after_commit(self._relay)
            return
        with atomic(self._transaction):
            self._store.add(kind, data, self._clock())
        self._relay()


class Relay:
    """Hands pending outbox rows to the broker, oldest first."""

    def __init__(self, store: JobStore, transaction: Transaction, broker: Broker) -> None:
        self._store = store
        self._transaction = transaction
        self._broker = broker

    def relay_pending(self) -> int:
        """Hand over what is pending; how many jobs the broker took. Stops at the first
        refusal (the broker is down): those rows stay pending for the next relay."""
        with atomic(self._transaction):
            pending = self._store.pending(RELAY_BATCH)
        relayed = 0
        for job_id in pending:
            try:
                self._broker.send(job_id)
            # Whatever the broker's client raises (a refused connection, a timeout): the
            # row is safe in the database and the next relay tries again.
            except Exception as exc:
                log.warning("Job %s stays pending: the job queue refused it (%s)", job_id, exc)
                break
            with atomic(self._transaction):
                self._store.mark_queued(job_id)
            relayed += 1
        return relayed


class JobRunner:
    """Runs one job by its id: claims it, calls its kind's handler, records the outcome."""

    def __init__(
        self,
        store: JobStore,
        transaction: Transaction,
        clock: Callable[[], datetime],
        kinds: Mapping[str, JobKind],
    ) -> None:
        self._store = store
        self._transaction = transaction
        self._clock = clock
        self._kinds = kinds

    def run(self, job_id: int, *, last_attempt: bool) -> bool:
        """Run the job if nobody ran it yet; whether it succeeded.

        Three short units of work, not one: the claim must be visible to other workers
        while the handler runs (it may take seconds talking to a mail server), and the
        handler's effect is outside the database anyway. A failed attempt raises
        :class:`JobFailed` unless it was the last (the broker then retries with backoff).
        """
        with atomic(self._transaction):
            job = self._store.claim(job_id, self._clock())
        if job is None:
            log.info("Job %s was not run: it ran already, or was discarded", job_id)
            return False
        payload = json.loads(job.payload)
        kind = self._kinds.get(job.kind)
        try:
            if kind is None:
                raise UnknownJobKind(job.kind)
            kind.run(payload)
        # A handler may fail in any way (a refused connection, a header the mail library
        # will not write); the reason is kept on the row for the admins.
        except Exception as exc:
            reason = printable(f"{type(exc).__name__}: {exc}", ERROR_MAX_LENGTH)
            with atomic(self._transaction):
                self._store.give_back(job.id, reason, self._clock(), final=last_attempt)
            if not last_attempt:
                raise JobFailed(reason) from exc
            log.error("Job %s (%s) failed for good: %s", job.id, job.kind, reason, exc_info=exc)
            if kind is not None and kind.given_up is not None:
                kind.given_up(payload, reason)
            return False
        with atomic(self._transaction):
            self._store.finish(job.id, self._clock())
        return True


class FailedJobs:
    """What admins do about jobs that failed for good: list, retry, discard."""

    def __init__(
        self, store: JobStore, transaction: Transaction, relay: Callable[[], object]
    ) -> None:
        self._store = store
        self._transaction = transaction
        self._relay = relay

    def listing(self, limit: int = 100) -> Sequence[JobRecord]:
        """The failed jobs, oldest first."""
        with atomic(self._transaction):
            return self._store.failed(limit)

    def retry(self, job_id: int) -> bool:
        """Give a failed job a fresh set of attempts; whether there was one."""
        with atomic(self._transaction):
            reopened = self._store.reopen(job_id)
        if reopened:
            self._relay()
        return reopened

    def discard(self, job_id: int) -> bool:
        """Give up on a failed job for good; whether there was one."""
        with atomic(self._transaction):
            return self._store.discard(job_id)


class UnknownJobKind(Exception):
    """A row names a kind of job this app has no handler for."""


class JobFailed(Exception):
    """An attempt at a job failed; the broker tries again later."""

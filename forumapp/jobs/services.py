"""The job services: enqueue through the outbox, relay it to the broker, run a job once.

A job is a row first (:mod:`forumapp.jobs.models`), written in the unit of work of the
change that causes it, and handed to the broker only once that commits: a change that
rolls back enqueues nothing, and a broker that is down at commit time loses nothing (the
row stays pending until a later relay). Workers claim a row before running it, so a job
handed over twice, or retried after it succeeded, runs once.

A claim is a lease: a worker that dies mid-run (killed, its machine gone) leaves its row
``running`` only until the lease lapses; then :class:`LeaseKeeper` takes the job back and
the relay hands it to another worker. Each claim has a number, and a worker's outcome is
recorded only while the row still carries its claim, so a worker that was merely slow
cannot overwrite the claim that replaced it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from forumapp.jobs.ports import Broker, JobKind, JobRecord, JobStore
from forumapp.mail import printable
from forumapp.persistence import Transaction, atomic, in_unit_of_work

log = logging.getLogger(__name__)

#: Rows one relay hands over at most; the rest wait for the next one.
RELAY_BATCH = 500
ERROR_MAX_LENGTH = 500
#: Lapsed leases one pass of the keeper takes back at most; the rest wait for the next.
TAKE_BACK_BATCH = 500


@dataclass(frozen=True)
class LeaseTerms:
    """How long a claim lasts, and how many attempts a job gets in all."""

    #: A claim lapses this long after it was taken or last renewed (``JOBS_LEASE_SECONDS``).
    lease: timedelta
    #: The first attempt and its retries (``JOBS_RETRIES + 1``).
    max_attempts: int


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
    """Hands pending outbox rows to the broker, oldest first, and again the queued ones
    the broker lost."""

    def __init__(
        self,
        store: JobStore,
        transaction: Transaction,
        broker: Broker,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._transaction = transaction
        self._broker = broker
        self._clock = clock

    def relay_pending(self) -> int:
        """Hand over what is pending; how many jobs the broker took. Stops at the first
        refusal (the broker is down): those rows stay pending for the next relay."""
        with atomic(self._transaction):
            pending = self._store.pending(RELAY_BATCH)
        return self._hand_over(
            pending,
            lambda job_id: self._store.mark_queued(job_id, self._clock()),
            "Job %s stays pending: the job queue refused it (%s)",
        )

    def relay_unclaimed(self, after: timedelta) -> int:
        """Hand over again the jobs queued more than ``after`` ago that no worker claimed;
        how many the broker took.

        The broker keeps jobs in Redis or in its SQLite file: a Redis restarted without
        persistence, or a deleted file, loses them while their rows say ``queued``. A
        job handed over twice still runs once (workers claim the row), so the only cost
        of a job that was merely waiting, behind a backlog or for a retry's delay, is one
        more message; each job is handed over again at most once per ``after``.
        """
        now = self._clock()
        with atomic(self._transaction):
            unclaimed = self._store.unclaimed(now - after, RELAY_BATCH)

        def requeued(job_id: int) -> None:
            if self._store.mark_requeued(job_id, now - after, now):
                log.warning("Job %s handed to the job queue again: unclaimed for %s", job_id, after)

        return self._hand_over(
            unclaimed, requeued, "Job %s, lost by the job queue, is refused by it (%s)"
        )

    def _hand_over(
        self, job_ids: Sequence[int], record: Callable[[int], object], refused: str
    ) -> int:
        """Send each job to the broker, then ``record`` it (in a unit of work of its own);
        stop at the first refusal, logged with ``refused``."""
        relayed = 0
        for job_id in job_ids:
            try:
                self._broker.send(job_id)
            # Whatever the broker's client raises (a refused connection, a timeout): the
            # row is safe in the database and the next relay tries again.
            except Exception as exc:
                log.warning(refused, job_id, exc)
                break
            with atomic(self._transaction):
                record(job_id)
            relayed += 1
        return relayed


class _ClaimedWork:
    """What claims on jobs are handled with: the outbox and its unit of work, the clock,
    the handlers of each kind of job, and the lease terms."""

    def __init__(
        self,
        store: JobStore,
        transaction: Transaction,
        clock: Callable[[], datetime],
        kinds: Mapping[str, JobKind],
        terms: LeaseTerms,
    ) -> None:
        self._store = store
        self._transaction = transaction
        self._clock = clock
        self._kinds = kinds
        self._terms = terms


class JobRunner(_ClaimedWork):
    """Runs one job by its id: claims it, calls its kind's handler, records the outcome."""

    def run(self, job_id: int, *, last_attempt: bool) -> bool:
        """Run the job if nobody ran it yet; whether it succeeded.

        Three short units of work, not one: the claim must be visible to other workers
        while the handler runs (it may take seconds talking to a mail server), and the
        handler's effect is outside the database anyway. A failed attempt raises
        :class:`JobFailed` unless it was the last (the broker then retries with backoff).
        An attempt is the last when the broker says so, or when the job has had every
        attempt (attempts whose worker died count too).
        """
        with atomic(self._transaction):
            job = self._store.claim(job_id, self._clock(), self._clock() + self._terms.lease)
        if job is None:
            log.info("Job %s was not run: it ran already, or was discarded", job_id)
            return False
        final = last_attempt or job.attempts >= self._terms.max_attempts
        payload = json.loads(job.payload)
        kind = self._kinds.get(job.kind)
        try:
            if kind is None:
                raise UnknownJobKind(job.kind)
            kind.perform(payload, _Lease(self, job))
        # A handler may fail in any way (a refused connection, a header the mail library
        # will not write); the reason is kept on the row for the admins.
        except Exception as exc:
            reason = printable(f"{type(exc).__name__}: {exc}", ERROR_MAX_LENGTH)
            with atomic(self._transaction):
                held = self._store.give_back(job.id, job.claims, reason, self._clock(), final=final)
            if not held:
                _log_lapsed(job, "failed")
                return False
            if not final:
                raise JobFailed(reason) from exc
            log.error("Job %s (%s) failed for good: %s", job.id, job.kind, reason, exc_info=exc)
            if kind is not None and kind.given_up is not None:
                kind.given_up(payload, reason)
            return False
        with atomic(self._transaction):
            held = self._store.finish(job.id, job.claims, self._clock())
        if not held:
            _log_lapsed(job, "succeeded")
        return held

    def renew(self, job: JobRecord) -> bool:
        """Extend ``job``'s lease (its claim's); whether the worker still holds it."""
        with atomic(self._transaction):
            return self._store.renew(job.id, job.claims, self._clock() + self._terms.lease)


class _Lease:
    """The lease a running job's handler may renew (see :class:`forumapp.jobs.ports.Lease`)."""

    def __init__(self, runner: JobRunner, job: JobRecord) -> None:
        self._runner = runner
        self._job = job

    def renew(self) -> bool:
        """Extend the lease from now; ``False`` when the job was taken back."""
        return self._runner.renew(self._job)


def _log_lapsed(job: JobRecord, outcome: str) -> None:
    # The job was taken back while it ran; another worker runs it (or ran it) again, and
    # its outcome is the one kept.
    log.warning(
        "Job %s (%s) %s after its lease lapsed; the outcome of the claim that replaced it is kept",
        job.id,
        job.kind,
        outcome,
    )


class LeaseKeeper(_ClaimedWork):
    """Takes back the jobs whose worker stopped mid-run (the lease lapsed): pending again
    for the relay, with the attempt counted, or failed once every attempt is spent."""

    def overdue(self, limit: int = 100) -> Sequence[JobRecord]:
        """Running jobs past their lease, not taken back yet, oldest first."""
        with atomic(self._transaction):
            return self._store.expired(self._clock(), self._terms.lease, limit)

    def take_back_lapsed(self) -> list[JobRecord]:
        """Take back every job past its lease; the ones taken back, as they were."""
        now = self._clock()
        taken: list[JobRecord] = []
        for job in self.overdue(TAKE_BACK_BATCH):
            final = job.attempts >= self._terms.max_attempts
            lapsed = job.lease_expires_at or (job.ran_at or now) + self._terms.lease
            reason = (
                f"LeaseExpired: its worker stopped during attempt {job.attempts} "
                f"(lease lapsed at {lapsed:%Y-%m-%d %H:%M:%S} UTC)"
            )
            with atomic(self._transaction):
                lease = self._terms.lease
                if not self._store.take_back(job.id, job.claims, reason, now, lease, final=final):
                    # Its worker finished or renewed in the meantime.
                    continue
            taken.append(job)
            if not final:
                log.warning("Job %s (%s) runs again: %s", job.id, job.kind, reason)
                continue
            log.error("Job %s (%s) failed for good: %s", job.id, job.kind, reason)
            kind = self._kinds.get(job.kind)
            if kind is not None and kind.given_up is not None:
                kind.given_up(json.loads(job.payload), reason)
        return taken


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

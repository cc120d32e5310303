"""What the job services need, apart from how it is done: a store of job rows, a broker."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol


@dataclass(frozen=True)
class JobRecord:
    """A job row as the services see it."""

    id: int
    kind: str
    payload: str
    state: str
    attempts: int
    created_at: datetime
    ran_at: datetime | None
    error: str | None
    #: The claim number (see :attr:`forumapp.jobs.models.Job.claims`).
    claims: int = 0
    lease_expires_at: datetime | None = None
    lease_lost_at: datetime | None = None
    queued_at: datetime | None = None


class JobStore(Protocol):
    """The outbox table. Every method works in the caller's unit of work."""

    def add(self, kind: str, payload: str, now: datetime) -> int:
        """Write a pending job; its id."""
        ...

    def pending(self, limit: int) -> Sequence[int]:
        """The oldest jobs not handed to the broker yet."""
        ...

    def mark_queued(self, job_id: int, now: datetime) -> None:
        """The broker has the job since ``now`` (unless it already ran: a fast worker wins)."""
        ...

    def unclaimed(self, queued_before: datetime, limit: int) -> Sequence[int]:
        """Jobs handed to the broker before ``queued_before`` that no worker has claimed
        since, oldest first."""
        ...

    def mark_requeued(self, job_id: int, queued_before: datetime, now: datetime) -> bool:
        """The job, still unclaimed since before ``queued_before``, was handed to the
        broker again at ``now``; whether it was still so (another relay was not faster)."""
        ...

    def claim(self, job_id: int, now: datetime, lease_until: datetime) -> JobRecord | None:
        """Mark the job running until ``lease_until``, count the attempt and the claim, if
        it may run; else ``None``. The record carries the claim number."""
        ...

    def renew(self, job_id: int, claim: int, lease_until: datetime) -> bool:
        """Extend claim ``claim``'s lease; whether the worker still holds the job."""
        ...

    def finish(self, job_id: int, claim: int, now: datetime) -> bool:
        """The job ran to its end under claim ``claim``; whether that was recorded (not
        when the job was taken back meanwhile)."""
        ...

    def give_back(self, job_id: int, claim: int, error: str, now: datetime, *, final: bool) -> bool:
        """The attempt under claim ``claim`` failed with ``error``: queued for the next one
        (since ``now``), or failed when ``final``; whether the worker still held the job."""
        ...

    def expired(self, now: datetime, lease: timedelta, limit: int) -> Sequence[JobRecord]:
        """Running jobs whose lease lapsed before ``now`` (rows claimed before leases
        existed lapse one ``lease`` after they started), oldest first."""
        ...

    def take_back(
        self, job_id: int, claim: int, error: str, now: datetime, lease: timedelta, *, final: bool
    ) -> bool:
        """Take the job from claim ``claim``, whose worker stopped: pending for the relay,
        or failed when ``final``; whether it was still that claim's, with its lease lapsed
        (not renewed meanwhile)."""
        ...

    def count_expired(self, now: datetime, lease: timedelta) -> int:
        """How many running jobs are past their lease."""
        ...

    def failed(self, limit: int) -> Sequence[JobRecord]:
        """Jobs whose every attempt failed, oldest first."""
        ...

    def count_failed(self) -> int:
        """How many jobs wait for an admin."""
        ...

    def reopen(self, job_id: int) -> bool:
        """Make a failed job pending again; whether there was one."""
        ...

    def discard(self, job_id: int) -> bool:
        """Give up on a failed job; whether there was one."""
        ...


class Broker(Protocol):
    """Hands a job to the workers (Huey). Raises when it cannot (Redis is down)."""

    def send(self, job_id: int) -> None: ...


class JobQueue(Protocol):
    """The port services and adapters enqueue with: the job runs after the caller's unit
    of work commits, never when it rolls back."""

    def enqueue(self, kind: str, payload: Mapping[str, Any]) -> None: ...


class Lease(Protocol):
    """A running job's claim, which lapses ``JOBS_LEASE_SECONDS`` after it was taken or
    last renewed; then the periodic relay gives the job to another worker."""

    def renew(self) -> bool:
        """Extend the lease by ``JOBS_LEASE_SECONDS`` from now; ``False`` when it had lapsed
        and the job was taken back (stop: another worker runs it)."""
        ...


@dataclass(frozen=True)
class JobKind:
    """What a kind of job does with its payload, and what happens when it never could.

    ``run`` raises to fail the attempt (it is retried with backoff); ``given_up`` is told
    the last error once no attempt is left. A job that may outlast one lease is given
    with ``run_leased`` instead, which receives its :class:`Lease` to renew.
    """

    run: Callable[[Mapping[str, Any]], None] | None = None
    given_up: Callable[[Mapping[str, Any], str], None] | None = None
    run_leased: Callable[[Mapping[str, Any], Lease], None] | None = None

    def __post_init__(self) -> None:
        if (self.run is None) == (self.run_leased is None):
            raise ValueError("A kind of job has either run or run_leased")

    def perform(self, payload: Mapping[str, Any], lease: Lease) -> None:
        """Do the job: ``run(payload)``, or ``run_leased(payload, lease)``."""
        if self.run_leased is not None:
            self.run_leased(payload, lease)
        elif self.run is not None:
            self.run(payload)

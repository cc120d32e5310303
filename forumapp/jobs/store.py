"""The outbox table through SQLAlchemy (see :class:`forumapp.jobs.ports.JobStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from forumapp.jobs.models import (
    DISCARDED,
    DONE,
    FAILED,
    PENDING,
    QUEUED,
    RUNNABLE,
    RUNNING,
    Job,
)
from forumapp.jobs.ports import JobRecord
from forumapp.persistence import DbSession


def _record(job: Job) -> JobRecord:
    return JobRecord(
        id=job.id,
        kind=job.kind,
        payload=job.payload,
        state=job.state,
        attempts=job.attempts,
        created_at=job.created_at,
        ran_at=job.ran_at,
        error=job.error,
        claims=job.claims,
        lease_expires_at=job.lease_expires_at,
        lease_lost_at=job.lease_lost_at,
        queued_at=job.queued_at,
    )


def lapsed(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """The condition of a running job whose lease lapsed before ``now``."""
    # Rows claimed before leases existed have none: they lapse one lease after they started.
    return and_(
        Job.state == RUNNING,
        or_(
            Job.lease_expires_at < now,
            and_(Job.lease_expires_at.is_(None), Job.ran_at < now - lease),
        ),
    )


def _unclaimed_since(moment: datetime) -> ColumnElement[bool]:
    """The condition of a queued job last handed to the broker before ``moment``."""
    # Rows queued before ``queued_at`` existed count from their last attempt, or creation.
    return and_(
        Job.state == QUEUED,
        func.coalesce(Job.queued_at, Job.ran_at, Job.created_at) < moment,
    )


class SqlJobStore:
    """Job rows in the ``jobs`` table; state changes are conditional single statements,
    so two workers handed the same job cannot both run it."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def add(self, kind: str, payload: str, now: datetime) -> int:
        """Write a pending job; its id."""
        job = Job(kind=kind, payload=payload, state=PENDING, attempts=0, created_at=now)
        self._session.add(job)
        self._session.flush()
        return int(job.id)

    def pending(self, limit: int) -> Sequence[int]:
        """The oldest jobs not handed to the broker yet."""
        query = select(Job.id).where(Job.state == PENDING).order_by(Job.id).limit(limit)
        return list(self._session.scalars(query))

    def mark_queued(self, job_id: int, now: datetime) -> None:
        """The broker has the job since ``now`` (unless it already ran: a fast worker wins)."""
        self._move(job_id, (PENDING,), state=QUEUED, queued_at=now)

    def unclaimed(self, queued_before: datetime, limit: int) -> Sequence[int]:
        """Jobs handed to the broker before ``queued_before`` and not claimed since."""
        query = select(Job.id).where(_unclaimed_since(queued_before)).order_by(Job.id).limit(limit)
        return list(self._session.scalars(query))

    def mark_requeued(self, job_id: int, queued_before: datetime, now: datetime) -> bool:
        """The job was handed over again at ``now``, if still unclaimed since before
        ``queued_before``."""
        return self._move(job_id, (QUEUED,), None, _unclaimed_since(queued_before), queued_at=now)

    def claim(self, job_id: int, now: datetime, lease_until: datetime) -> JobRecord | None:
        """Mark the job running until ``lease_until`` and count the attempt and the claim,
        if it may run; else ``None``."""
        claimed = self._move(
            job_id,
            RUNNABLE,
            state=RUNNING,
            attempts=Job.attempts + 1,
            claims=Job.claims + 1,
            ran_at=now,
            lease_expires_at=lease_until,
        )
        if not claimed:
            return None
        job = self._session.get(Job, job_id, populate_existing=True)
        return _record(job) if job is not None else None

    def renew(self, job_id: int, claim: int, lease_until: datetime) -> bool:
        """Extend claim ``claim``'s lease; whether the worker still holds the job."""
        return self._move(job_id, (RUNNING,), claim, lease_expires_at=lease_until)

    def finish(self, job_id: int, claim: int, now: datetime) -> bool:
        """The job ran to its end under claim ``claim``; whether that was recorded."""
        return self._move(
            job_id, (RUNNING,), claim, state=DONE, ran_at=now, error=None, lease_expires_at=None
        )

    def give_back(self, job_id: int, claim: int, error: str, now: datetime, *, final: bool) -> bool:
        """The attempt failed: queued for the next one, or failed when ``final``."""
        return self._move(
            job_id,
            (RUNNING,),
            claim,
            state=FAILED if final else QUEUED,
            ran_at=now,
            error=error,
            lease_expires_at=None,
            queued_at=None if final else now,
        )

    def expired(self, now: datetime, lease: timedelta, limit: int) -> Sequence[JobRecord]:
        """Running jobs whose lease lapsed before ``now``, oldest first."""
        query = select(Job).where(lapsed(now, lease)).order_by(Job.id).limit(limit)
        return [_record(job) for job in self._session.scalars(query)]

    def take_back(
        self, job_id: int, claim: int, error: str, now: datetime, lease: timedelta, *, final: bool
    ) -> bool:
        """Take the job from claim ``claim``, if its lease is still lapsed: pending again,
        or failed when ``final``."""
        return self._move(
            job_id,
            (RUNNING,),
            claim,
            lapsed(now, lease),
            state=FAILED if final else PENDING,
            error=error,
            lease_expires_at=None,
            lease_lost_at=now,
        )

    def count_expired(self, now: datetime, lease: timedelta) -> int:
        """How many running jobs are past their lease."""
        query = select(func.count()).select_from(Job).where(lapsed(now, lease))
        return int(self._session.scalar(query) or 0)

    def failed(self, limit: int) -> Sequence[JobRecord]:
        """Jobs whose every attempt failed, oldest first."""
        query = select(Job).where(Job.state == FAILED).order_by(Job.id).limit(limit)
        return [_record(job) for job in self._session.scalars(query)]

    def count_failed(self) -> int:
        """How many jobs wait for an admin."""
        query = select(func.count()).select_from(Job).where(Job.state == FAILED)
        return int(self._session.scalar(query) or 0)

    def reopen(self, job_id: int) -> bool:
        """Make a failed job pending again, with a fresh set of attempts."""
        return self._move(job_id, (FAILED,), state=PENDING, attempts=0)

    def discard(self, job_id: int) -> bool:
        """Give up on a failed job."""
        return self._move(job_id, (FAILED,), state=DISCARDED)

    def _move(
        self,
        job_id: int,
        states: Sequence[str],
        claim: int | None = None,
        *conditions: ColumnElement[bool],
        **values: object,
    ) -> bool:
        # A worker's outcome names its claim: once the job was taken back from it (its lease
        # lapsed), what it records matches no row and changes nothing.
        where = [Job.id == job_id, Job.state.in_(states), *conditions]
        if claim is not None:
            where.append(Job.claims == claim)
        result = self._session.execute(
            update(Job).where(*where).values(**values).execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

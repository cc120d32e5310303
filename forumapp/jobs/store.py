"""The outbox table through SQLAlchemy (see :class:`forumapp.jobs.ports.JobStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update

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

    def mark_queued(self, job_id: int) -> None:
        """The broker has the job (unless it already ran: a fast worker wins)."""
        self._move(job_id, (PENDING,), state=QUEUED)

    def claim(self, job_id: int, now: datetime) -> JobRecord | None:
        """Mark the job running and count the attempt, if it may run; else ``None``."""
        if not self._move(job_id, RUNNABLE, state=RUNNING, attempts=Job.attempts + 1, ran_at=now):
            return None
        job = self._session.get(Job, job_id, populate_existing=True)
        return _record(job) if job is not None else None

    def finish(self, job_id: int, now: datetime) -> None:
        """The job ran to its end."""
        self._move(job_id, (RUNNING,), state=DONE, ran_at=now, error=None)

    def give_back(self, job_id: int, error: str, now: datetime, *, final: bool) -> None:
        """The attempt failed: queued for the next one, or failed when ``final``."""
        self._move(job_id, (RUNNING,), state=FAILED if final else QUEUED, ran_at=now, error=error)

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

    def _move(self, job_id: int, states: Sequence[str], **values: object) -> bool:
        result = self._session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state.in_(states))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

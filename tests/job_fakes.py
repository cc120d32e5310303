"""In-memory stand-ins for the job outbox and broker (unit tests of forumapp.jobs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from forumapp.jobs.models import DISCARDED, DONE, FAILED, PENDING, QUEUED, RUNNABLE, RUNNING
from forumapp.jobs.ports import JobRecord


class InMemoryJobStore:
    """The outbox table, with a unit of work: rows added since the last commit are seen
    only by this store until :class:`OutboxTransaction` commits them, and vanish on
    rollback."""

    def __init__(self) -> None:
        self.rows: dict[int, JobRecord] = {}
        self.staged: list[JobRecord] = []
        self._next_id = 1

    def add(self, kind: str, payload: str, now: datetime) -> int:
        job = JobRecord(self._next_id, kind, payload, PENDING, 0, now, None, None)
        self._next_id += 1
        self.staged.append(job)
        return job.id

    def pending(self, limit: int) -> Sequence[int]:
        return [job.id for job in self.rows.values() if job.state == PENDING][:limit]

    def mark_queued(self, job_id: int, now: datetime) -> None:
        self._move(job_id, (PENDING,), state=QUEUED, queued_at=now)

    def unclaimed(self, queued_before: datetime, limit: int) -> Sequence[int]:
        return [job.id for job in self.rows.values() if self._unclaimed(job, queued_before)][:limit]

    def mark_requeued(self, job_id: int, queued_before: datetime, now: datetime) -> bool:
        job = self.rows.get(job_id)
        if job is None or not self._unclaimed(job, queued_before):
            return False
        return self._move(job_id, (QUEUED,), queued_at=now)

    @staticmethod
    def _unclaimed(job: JobRecord, queued_before: datetime) -> bool:
        since = job.queued_at or job.ran_at or job.created_at
        return job.state == QUEUED and since < queued_before

    def claim(self, job_id: int, now: datetime, lease_until: datetime) -> JobRecord | None:
        job = self.rows.get(job_id)
        if job is None or job.state not in RUNNABLE:
            return None
        self.rows[job_id] = replace(
            job,
            state=RUNNING,
            attempts=job.attempts + 1,
            claims=job.claims + 1,
            ran_at=now,
            lease_expires_at=lease_until,
        )
        return self.rows[job_id]

    def renew(self, job_id: int, claim: int, lease_until: datetime) -> bool:
        return self._move(job_id, (RUNNING,), claim, lease_expires_at=lease_until)

    def finish(self, job_id: int, claim: int, now: datetime) -> bool:
        return self._move(
            job_id, (RUNNING,), claim, state=DONE, ran_at=now, error=None, lease_expires_at=None
        )

    def give_back(self, job_id: int, claim: int, error: str, now: datetime, *, final: bool) -> bool:
        state = FAILED if final else QUEUED
        return self._move(
            job_id,
            (RUNNING,),
            claim,
            state=state,
            ran_at=now,
            error=error,
            lease_expires_at=None,
            queued_at=None if final else now,
        )

    def expired(self, now: datetime, lease: timedelta, limit: int) -> Sequence[JobRecord]:
        return [job for job in self.rows.values() if self._lapsed(job, now, lease)][:limit]

    def take_back(
        self, job_id: int, claim: int, error: str, now: datetime, lease: timedelta, *, final: bool
    ) -> bool:
        job = self.rows.get(job_id)
        if job is None or not self._lapsed(job, now, lease):
            return False
        state = FAILED if final else PENDING
        return self._move(
            job_id,
            (RUNNING,),
            claim,
            state=state,
            error=error,
            lease_expires_at=None,
            lease_lost_at=now,
        )

    def count_expired(self, now: datetime, lease: timedelta) -> int:
        return len(self.expired(now, lease, 10**9))

    @staticmethod
    def _lapsed(job: JobRecord, now: datetime, lease: timedelta) -> bool:
        if job.state != RUNNING:
            return False
        if job.lease_expires_at is None:
            return job.ran_at is not None and job.ran_at < now - lease
        return job.lease_expires_at < now

    def failed(self, limit: int) -> Sequence[JobRecord]:
        return [job for job in self.rows.values() if job.state == FAILED][:limit]

    def count_failed(self) -> int:
        return len(self.failed(10**9))

    def reopen(self, job_id: int) -> bool:
        return self._move(job_id, (FAILED,), state=PENDING, attempts=0)

    def discard(self, job_id: int) -> bool:
        return self._move(job_id, (FAILED,), state=DISCARDED)

    def _move(
        self, job_id: int, states: tuple[str, ...], claim: int | None = None, **values: object
    ) -> bool:
        job = self.rows.get(job_id)
        if job is None or job.state not in states:
            return False
        if claim is not None and job.claims != claim:
            return False
        self.rows[job_id] = replace(job, **values)  # type: ignore[arg-type]
        return True


class OutboxTransaction:
    """Commits or rolls back the store's staged rows; a commit then runs the after-commit
    hooks registered meanwhile (as SQLAlchemy's ``after_commit`` event would)."""

    def __init__(self, store: InMemoryJobStore) -> None:
        self.store = store
        self.hooks: list[Callable[[], object]] = []
        self.commits = 0
        self.rollbacks = 0

    def after_commit(self, hook: Callable[[], object]) -> None:
        self.hooks.append(hook)

    def commit(self) -> None:
        self.commits += 1
        for job in self.store.staged:
            self.store.rows[job.id] = job
        self.store.staged.clear()
        hooks, self.hooks = self.hooks, []
        for hook in hooks:
            hook()

    def rollback(self) -> None:
        self.rollbacks += 1
        # The hooks stay, as SQLAlchemy's once-listeners do: the next commit fires them.
        self.store.staged.clear()


class FakeBroker:
    """Records the job ids handed over; ``down`` makes it refuse them, as Redis would."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.down = False

    def send(self, job_id: int) -> None:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append(job_id)

"""The app's job queue: a Huey instance on SQLite (embedded) or Redis (production).

Huey carries only job ids; the jobs themselves live in the outbox table. One Huey task
runs any job (:class:`forumapp.jobs.services.JobRunner` looks up its kind), with Huey's
retries and exponential backoff; periodic jobs are Huey periodic tasks, run by the
consumer's scheduler (``forumapp worker``, or the thread ``forumapp run`` starts).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import Task

from forumapp.jobs.ports import JobKind

#: ``app.extensions`` key of the app's :class:`Jobs`.
EXTENSION = "forumapp.jobs"
#: The name of the Huey task that runs a job, the same in every process.
RUN_TASK = "forumapp.jobs.run"
#: Each retry waits this many times longer than the one before.
RETRY_BACKOFF = 2
#: A queued job no worker claimed for this long, or for twice the longest retry delay if
#: that is longer, was lost by the broker and is handed over again.
UNCLAIMED_FLOOR = timedelta(minutes=15)
#: Huey storage schemes of ``JOBS_URL`` besides ``sqlite:///``.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
#: The default queue file, in the instance folder.
DEFAULT_FILE = "jobs.sqlite3"

#: A periodic schedule: Huey's ``crontab(...)`` (a function of the current time).
Schedule = Callable[[Any], bool]


@dataclass(frozen=True)
class PeriodicJob:
    """Work the consumer's scheduler does on ``schedule``, in an app context."""

    name: str
    schedule: Schedule
    work: Callable[[], object]


def queue_url(app: Flask) -> str:
    """``JOBS_URL``, or the SQLite file in the instance folder."""
    url = app.config["JOBS_URL"]
    return str(url) if url else f"sqlite:///{Path(app.instance_path) / DEFAULT_FILE}"


def unclaimed_after(retries: int, retry_delay: float) -> timedelta:
    """How long a queued job may wait for a worker before it counts as lost: longer than
    any retry's delay (Huey waits ``retry_delay``, then ``RETRY_BACKOFF`` times longer at
    each retry), so only a job the broker no longer holds is handed over again."""
    longest_delay = timedelta(seconds=retry_delay * RETRY_BACKOFF ** max(retries - 1, 0))
    return max(UNCLAIMED_FLOOR, 2 * longest_delay)


def make_huey(url: str, *, immediate: bool) -> Huey:
    """Huey on the storage ``url`` names; ``immediate`` runs each job as it is enqueued."""
    if url.startswith(REDIS_SCHEMES):
        return RedisHuey("forumapp", url=url, immediate=immediate, results=False, utc=True)
    filename = url.removeprefix("sqlite:///")
    return SqliteHuey("forumapp", filename=filename, immediate=immediate, results=False, utc=True)


@dataclass
class Jobs:
    """The kinds of job and the periodic jobs of one app, and its Huey instance, made on
    first use (so that commands which never enqueue never open the queue)."""

    app: Flask
    run_job: Callable[[Flask, int, bool], object]
    kinds: dict[str, JobKind] = field(default_factory=dict)
    periodic: list[PeriodicJob] = field(default_factory=list)
    _huey: Huey | None = None
    #: The Huey task that runs a job, registered with the Huey instance.
    _run_task: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_kind(self, name: str, kind: JobKind) -> None:
        """Register what jobs of kind ``name`` do."""
        self.kinds[name] = kind

    def add_periodic(self, job: PeriodicJob) -> None:
        """Register periodic work; it must be added before the queue is first used."""
        if self._huey is not None:
            raise RuntimeError(f"{job.name}: periodic jobs are registered at app creation")
        self.periodic.append(job)

    @property
    def huey(self) -> Huey:
        """The Huey instance, with the job task and the periodic tasks registered."""
        with self._lock:
            if self._huey is None:
                self._huey = self._make_huey()
            return self._huey

    def send(self, job_id: int) -> None:
        """Hand job ``job_id`` to the workers (runs it now in immediate mode)."""
        self.huey.enqueue(self._run_task.s(job_id))

    def _make_huey(self) -> Huey:
        config = self.app.config
        huey = make_huey(queue_url(self.app), immediate=bool(config["JOBS_IMMEDIATE"]))
        app, run_job = self.app, self.run_job

        def run(job_id: int, task: Task) -> None:
            # No retry comes after the last attempt, and none in immediate mode (no
            # consumer runs the schedule a retry would wait in).
            last_attempt = huey.immediate or not task.retries
            with app.app_context():
                run_job(app, job_id, last_attempt)

        self._run_task = huey.task(
            retries=config["JOBS_RETRIES"],
            retry_delay=config["JOBS_RETRY_DELAY"],
            retry_backoff=RETRY_BACKOFF,
            context=True,
            name=RUN_TASK,
        )(run)
        for job in self.periodic:
            huey.periodic_task(job.schedule, name=job.name)(_in_app_context(app, job.work))
        return huey


def _in_app_context(app: Flask, work: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            work()

    return run


def every_minute() -> Schedule:
    """A schedule for periodic work that runs each minute."""
    return crontab(minute="*")  # type: ignore[no-any-return]

"""Background jobs: an outbox table relayed to Huey (SQLite by default, Redis in production).

:func:`install_jobs` gives an app its queue; packages add kinds of job with
:func:`register_job` and periodic work with :func:`register_periodic`, both at app
creation. Services enqueue through the :class:`~forumapp.jobs.ports.JobQueue` port
(:func:`forumapp.jobs.factories.job_queue` builds it). See README, "Background jobs".
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from forumapp.jobs.factories import MAIL_JOB, jobs_of, recover_and_relay, run_job
from forumapp.jobs.mail_job import MAIL
from forumapp.jobs.ports import JobKind
from forumapp.jobs.queue import EXTENSION, Jobs, PeriodicJob, Schedule, every_minute

#: The periodic job that takes back jobs whose worker stopped (their lease lapsed) and
#: relays what is pending (those, and what a down broker left).
RELAY_JOB = "forumapp.jobs.relay"


def install_jobs(app: Flask) -> None:
    """Give ``app`` its job queue, with the mail job and the periodic relay (which also
    takes back jobs whose lease lapsed)."""
    jobs = Jobs(app, run_job)
    app.extensions[EXTENSION] = jobs
    jobs.add_kind(MAIL_JOB, MAIL)
    jobs.add_periodic(PeriodicJob(RELAY_JOB, every_minute(), lambda: recover_and_relay(app)))


def register_job(app: Flask, name: str, kind: JobKind) -> None:
    """Register what jobs of kind ``name`` do (enqueue them with ``job_queue().enqueue``)."""
    jobs_of(app).add_kind(name, kind)


def register_periodic(
    app: Flask, name: str, schedule: Schedule, work: Callable[[], object]
) -> None:
    """Run ``work`` on ``schedule`` (``huey.crontab(...)``) in the consumer, in an app
    context. ``name`` must be the same in every process."""
    jobs_of(app).add_periodic(PeriodicJob(name, schedule, work))

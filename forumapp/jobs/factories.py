"""The one place that wires the job services from the app (see :mod:`forumapp.jobs.services`).

Relays and workers use sessions of their own: a relay runs in the ``after_commit`` hook
of the request's session, when that session cannot run statements, and a worker has no
request at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from forumapp.extensions import db
from forumapp.jobs.queue import EXTENSION, Jobs
from forumapp.jobs.services import FailedJobs, JobRunner, OutboxQueue, Relay
from forumapp.jobs.store import SqlJobStore
from forumapp.mail import Email
from forumapp.persistence import DbSession
from forumapp.sqltypes import utcnow

#: The kind of the job that sends one rendered email.
MAIL_JOB = "mail.send"


def jobs_of(app: Flask) -> Jobs:
    """The job queue of ``app``."""
    jobs: Jobs = app.extensions[EXTENSION]
    return jobs


def relay_pending(app: Flask) -> int:
    """Hand ``app``'s pending jobs to its queue; how many it took."""
    with app.app_context(), Session(db.engine) as session:
        return Relay(SqlJobStore(session), session, jobs_of(app)).relay_pending()


def run_job(app: Flask, job_id: int, last_attempt: bool) -> None:
    """Run job ``job_id`` once (the Huey task's body)."""
    with Session(db.engine) as session:
        runner = JobRunner(SqlJobStore(session), session, utcnow, jobs_of(app).kinds)
        runner.run(job_id, last_attempt=last_attempt)


def _after_request_commit(work: Callable[[], object]) -> None:
    # Registered per unit of work; a rolled-back one never fires it, and the next commit
    # of the same session then relays whatever is pending, which is harmless.
    event.listen(db.session(), "after_commit", lambda _session: work(), once=True)


def job_queue() -> OutboxQueue:
    """Enqueue in the request's unit of work; relayed once it commits."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return OutboxQueue(
        SqlJobStore(db.session),
        db.session,
        utcnow,
        lambda: relay_pending(app),
        _after_request_commit,
    )


def mail_delivery() -> Callable[[Email], None]:
    """The ``deliver`` of the template mailers: each rendered email becomes a job."""
    queue = job_queue()
    return lambda email: queue.enqueue(MAIL_JOB, asdict(email))


def failed_jobs(app: Flask, session: DbSession) -> FailedJobs:
    """The admins' view of failed jobs, in ``session``."""
    return FailedJobs(SqlJobStore(session), session, lambda: relay_pending(app))

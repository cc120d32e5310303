"""The one place that wires the job services from the app (see :mod:`forumapp.jobs.services`).

Relays and workers use sessions of their own: a relay runs in the ``after_commit`` hook
of the request's session, when that session cannot run statements, and a worker has no
request at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from forumapp.extensions import db
from forumapp.http import LOCAL_EXTERNAL_URL
from forumapp.jobs.queue import EXTENSION, Jobs, unclaimed_after
from forumapp.jobs.services import (
    FailedJobs,
    JobRunner,
    LeaseKeeper,
    LeaseTerms,
    OutboxQueue,
    Relay,
)
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
        return Relay(SqlJobStore(session), session, jobs_of(app), utcnow).relay_pending()


def relay_unclaimed(app: Flask) -> int:
    """Hand ``app``'s queue again the jobs it lost (queued, never claimed, for longer than
    any retry waits); how many it took."""
    config = app.config
    after = unclaimed_after(config["JOBS_RETRIES"], config["JOBS_RETRY_DELAY"])
    with app.app_context(), Session(db.engine) as session:
        return Relay(SqlJobStore(session), session, jobs_of(app), utcnow).relay_unclaimed(after)


def lease_terms(app: Flask) -> LeaseTerms:
    """``JOBS_LEASE_SECONDS`` and the attempts ``JOBS_RETRIES`` allows."""
    config = app.config
    return LeaseTerms(
        lease=timedelta(seconds=config["JOBS_LEASE_SECONDS"]),
        max_attempts=config["JOBS_RETRIES"] + 1,
    )


def lease_keeper(app: Flask, session: DbSession) -> LeaseKeeper:
    """Finds and takes back the jobs whose lease lapsed, in ``session``."""
    return LeaseKeeper(SqlJobStore(session), session, utcnow, jobs_of(app).kinds, lease_terms(app))


def recover_and_relay(app: Flask) -> int:
    """Take back the jobs whose worker stopped, relay what is pending, and hand over again
    what the queue lost (the periodic relay, and a worker's first act); how many jobs the
    queue took."""
    with app.app_context(), Session(db.engine) as session:
        lease_keeper(app, session).take_back_lapsed()
    return relay_pending(app) + relay_unclaimed(app)


def run_job(app: Flask, job_id: int, last_attempt: bool) -> None:
    """Run job ``job_id`` once (the Huey task's body)."""
    with Session(db.engine) as session:
        runner = JobRunner(
            SqlJobStore(session), session, utcnow, jobs_of(app).kinds, lease_terms(app)
        )
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
    """The ``deliver`` of the template mailers: each rendered email becomes a job.

    Each gets its Message-ID now, kept in the job's payload: a job run again after its
    worker died (see README, "Background jobs") sends the same message, which receivers
    can recognise as one.
    """
    queue = job_queue()
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    domain = urlsplit(str(app.config.get("EXTERNAL_URL") or LOCAL_EXTERNAL_URL)).hostname

    def deliver(email: Email) -> None:
        identified = replace(
            email, headers={"Message-ID": make_msgid(domain=domain), **email.headers}
        )
        queue.enqueue(MAIL_JOB, asdict(identified))

    return deliver


def failed_jobs(app: Flask, session: DbSession) -> FailedJobs:
    """The admins' view of failed jobs, in ``session``."""
    return FailedJobs(SqlJobStore(session), session, lambda: relay_pending(app))

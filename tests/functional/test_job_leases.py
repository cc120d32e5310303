"""Job leases in a real app (eager mode, the test default): a job whose worker died is taken
back by the periodic relay and run again once, the admins see it, and a worker that
outlived its lease cannot overwrite the claim that replaced it.

A worker "dies" here by leaving its row ``running`` with a lease that lapsed: the same
row a killed process leaves behind once its lease is over, without waiting for it
(tests/functional/test_jobs_worker.py kills a real worker process).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forumapp.extensions import db
from forumapp.jobs import RELAY_JOB, register_job
from forumapp.jobs.factories import MAIL_JOB, jobs_of, recover_and_relay, run_job
from forumapp.jobs.models import DONE, RUNNING, Job
from forumapp.jobs.ports import JobKind
from forumapp.jobs.store import SqlJobStore
from forumapp.persistence import atomic
from forumapp.sqltypes import utcnow
from tests.conftest import AuthActions, register
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.functional.test_forum_query_counts import counted_queries
from tests.functional.test_listing_indexes import plan_of

EMAIL = {"to": "ann@example.org", "subject": "Hello", "text": "Hi", "html": "<p>Hi</p>"}
#: Long enough ago that any lease has lapsed: the clock "moved past the lease".
LONG_AGO = timedelta(hours=1)


def job_row(app: Flask, job_id: int) -> Job:
    """The job's row as stored now (detached)."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.expunge(job)
    return job


def job_ids(app: Flask) -> list[int]:
    """Every job's id, oldest first."""
    with app.app_context():
        return list(db.session.scalars(select(Job.id).order_by(Job.id)))


def claimed_by_a_dead_worker(app: Flask, kind: str, payload: Mapping[str, Any]) -> int:
    """A job a worker claimed an hour ago and never finished (it was killed)."""
    with app.app_context():
        store = SqlJobStore(db.session)
        with atomic(db.session):
            job_id = store.add(kind, json.dumps(payload), utcnow() - LONG_AGO)
        then = utcnow() - LONG_AGO
        with atomic(db.session):
            claimed = store.claim(job_id, then, then + timedelta(minutes=5))
        assert claimed is not None
    return job_id


def the_periodic_relay(app: Flask) -> None:
    """Run the periodic job the workers run every minute, as their scheduler does."""
    (relay,) = [job for job in jobs_of(app).periodic if job.name == RELAY_JOB]
    relay.work()


def test_a_job_whose_worker_was_killed_is_taken_back_and_runs_once(
    app: Flask, outbox: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    job_id = claimed_by_a_dead_worker(app, MAIL_JOB, EMAIL)

    with caplog.at_level(logging.WARNING, logger="forumapp.jobs"):
        the_periodic_relay(app)
        the_periodic_relay(app)

    (mail,) = outbox
    assert mail.to == ["ann@example.org"]
    job = job_row(app, job_id)
    assert (job.state, job.attempts, job.claims) == (DONE, 2, 2)
    assert job.lease_lost_at is not None
    assert f"Job {job_id} ({MAIL_JOB}) runs again" in caplog.text


def test_a_job_killed_after_sending_runs_again_with_the_same_message_id(
    app: Flask, client: FlaskClient, outbox: list[Any]
) -> None:
    assert register(client).status_code == 302
    (job,) = [job_row(app, job_id) for job_id in job_ids(app)]
    message_id = json.loads(job.payload)["headers"]["Message-ID"]
    # The worker sent the email and was killed before recording it: still running, and
    # its lease has lapsed.
    with app.app_context(), atomic(db.session):
        db.session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(state=RUNNING, lease_expires_at=utcnow() - LONG_AGO)
        )

    recover_and_relay(app)

    with app.app_context():
        sent = [mail.message().get_all("Message-ID") for mail in outbox]
    assert sent == [[message_id], [message_id]]
    # The domain is the site's own (EXTERNAL_URL), never the machine's name.
    assert message_id.endswith(f"@{urlsplit(app.config['EXTERNAL_URL']).hostname}>")
    assert job_row(app, job.id).state == DONE


def test_each_email_job_has_its_own_message_id(
    app: Flask, client: FlaskClient, outbox: list[Any]
) -> None:
    register(client, username="bob", email="bob@example.org")
    register(client, username="carol", email="carol@example.org")

    with app.app_context():
        ids = {mail.message()["Message-ID"] for mail in outbox}

    assert len(outbox) == 2 and len(ids) == 2


def test_a_late_finisher_cannot_overwrite_the_claim_that_replaced_it(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[int] = []

    def stuck_on_first_run(payload: Mapping[str, Any]) -> None:
        runs.append(len(runs) + 1)
        if len(runs) > 1:
            return
        # The first worker hangs past its lease: the relay takes the job back and another
        # worker (eager mode: this very call) runs it to the end meanwhile.
        with app.app_context(), atomic(db.session):
            db.session.execute(update(Job).values(lease_expires_at=utcnow() - LONG_AGO))
        recover_and_relay(app)

    register_job(app, "test.stuck", JobKind(run=stuck_on_first_run))
    with app.app_context(), atomic(db.session):
        job_id = SqlJobStore(db.session).add("test.stuck", "{}", utcnow())

    with caplog.at_level(logging.WARNING, logger="forumapp.jobs"), app.app_context():
        run_job(app, job_id, True)

    assert runs == [1, 2]
    job = job_row(app, job_id)
    assert (job.state, job.claims, job.attempts, job.error) == (DONE, 2, 2, None)
    assert f"Job {job_id} (test.stuck) succeeded after its lease lapsed" in caplog.text


def test_running_jobs_past_their_lease_are_listed_and_shown_on_the_dashboard(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    job_id = claimed_by_a_dead_worker(app, MAIL_JOB, EMAIL)
    runner = app.test_cli_runner()
    login_as(auth, world, "admin")

    listing = runner.invoke(args=["jobs"])
    dashboard = client.get("/admin/").get_data(as_text=True)

    assert listing.exit_code == 0, listing.output
    assert f"{job_id}  {MAIL_JOB}  running since" in listing.output
    assert "1 running past their lease" in listing.output
    assert "1 background job is still running past its lease" in dashboard
    assert 'id="rerun-jobs"' not in dashboard

    recover_and_relay(app)

    assert "running past" not in runner.invoke(args=["jobs"]).output
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'id="overdue-jobs"' not in dashboard
    assert "1 background job was run again in the last 30 days" in dashboard
    assert job_row(app, job_id).state == DONE


def test_a_job_running_within_its_lease_is_left_alone(app: Flask, outbox: list[Any]) -> None:
    with app.app_context():
        store = SqlJobStore(db.session)
        with atomic(db.session):
            job_id = store.add(MAIL_JOB, json.dumps(EMAIL), utcnow())
        with atomic(db.session):
            store.claim(job_id, utcnow(), utcnow() + timedelta(minutes=5))

    recover_and_relay(app)

    assert job_row(app, job_id).state == RUNNING
    assert outbox == []


def test_the_periodic_relay_reads_only_the_running_jobs_through_an_index(app: Flask) -> None:
    parameters: list[Any] = []
    with counted_queries(app, parameters) as statements:
        recover_and_relay(app)
    (found,) = [
        pair
        for pair in zip(statements, parameters, strict=True)
        if "lease_expires_at <" in pair[0] and pair[0].lstrip().startswith("SELECT")
    ]

    plan = plan_of(app, *found)

    assert "ix_jobs_state_id" in plan, plan


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_jobs(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    login_as(auth, world, "admin")

    def dashboard_queries() -> int:
        with counted_queries(app) as statements:
            assert client.get("/admin/").status_code == 200
        return len(statements)

    before = dashboard_queries()
    for _ in range(3):
        claimed_by_a_dead_worker(app, MAIL_JOB, EMAIL)
    overdue = dashboard_queries()
    recover_and_relay(app)

    assert before == overdue == dashboard_queries()


def test_a_lease_renewed_after_it_was_found_lapsed_is_not_taken_back(app: Flask) -> None:
    job_id = claimed_by_a_dead_worker(app, MAIL_JOB, EMAIL)
    with app.app_context():
        store = SqlJobStore(db.session)
        with atomic(db.session):
            (lapsed,) = store.expired(utcnow(), timedelta(minutes=5), 10)
        # The worker was only slow: it renews between the keeper's look and its update.
        with atomic(db.session):
            assert store.renew(job_id, lapsed.claims, utcnow() + timedelta(minutes=5))
        with atomic(db.session):
            taken = store.take_back(
                job_id, lapsed.claims, "gone", utcnow(), timedelta(minutes=5), final=False
            )

    assert taken is False
    assert job_row(app, job_id).state == RUNNING

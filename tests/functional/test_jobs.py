"""The job queue in a real app, in eager mode (``JOBS_IMMEDIATE``, the test default): emails
are jobs, jobs follow their unit of work, and failed jobs reach the admins."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.jobs.factories import MAIL_JOB, job_queue, run_job
from forumapp.jobs.models import DISCARDED, DONE, FAILED, Job
from forumapp.persistence import atomic
from tests.conftest import AuthActions, register
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.servers import free_port
from tests.smtp import SmtpSink

EMAIL = {"to": "ann@example.org", "subject": "Hello", "text": "Hi", "html": "<p>Hi</p>"}


def jobs(app: Flask) -> list[Job]:
    with app.app_context():
        rows = list(db.session.scalars(select(Job).order_by(Job.id)))
        db.session.expunge_all()
    return rows


def test_an_activation_email_is_sent_once_by_a_job(
    app: Flask, client: FlaskClient, outbox: list[Any]
) -> None:
    assert register(client).status_code == 302

    (mail,) = outbox
    assert mail.to == ["bob@example.org"]
    assert "Activate your account" in mail.subject
    (job,) = jobs(app)
    assert (job.kind, job.state, job.attempts) == (MAIL_JOB, DONE, 1)


def test_a_rolled_back_change_enqueues_nothing(app: Flask, outbox: list[Any]) -> None:
    def failing_change() -> None:
        queue = job_queue()
        with atomic(db.session):
            queue.enqueue(MAIL_JOB, EMAIL)
            raise RuntimeError("the change fails after its email was enqueued")

    with app.test_request_context():
        with pytest.raises(RuntimeError):
            failing_change()
        # The session's next unit of work commits: the failed one's relay hook fires then.
        with atomic(db.session):
            pass

    assert jobs(app) == []
    assert outbox == []


def test_a_committed_change_sends_its_job_after_the_commit(app: Flask, outbox: list[Any]) -> None:
    with app.test_request_context():
        queue = job_queue()
        with atomic(db.session):
            queue.enqueue(MAIL_JOB, EMAIL)
            assert outbox == []

    (mail,) = outbox
    assert mail.to == ["ann@example.org"]


def test_a_retried_job_sends_no_second_email(
    app: Flask, client: FlaskClient, outbox: list[Any]
) -> None:
    register(client)
    (job,) = jobs(app)

    # The broker hands the finished job over again (a redelivery, a retry after success).
    with app.app_context():
        run_job(app, job.id, True)
        run_job(app, job.id, False)

    assert len(outbox) == 1
    assert [row.attempts for row in jobs(app)] == [1]


class TestMailServerDown:
    """Nothing listens on the mail port: every email job fails for good (eager mode has no
    retries: no consumer would run them)."""

    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        # Nothing listens on this port: every email job fails.
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port()}

    def test_a_failed_job_is_listed_shown_on_the_dashboard_and_can_be_retried(
        self,
        app: Flask,
        client: FlaskClient,
        world: World,
        auth: AuthActions,
        smtp_sink: SmtpSink,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.ERROR, logger="forumapp")
        register(client, username="carol", email="carol@example.org")
        (job,) = jobs(app)
        assert job.state == FAILED
        assert "ConnectionRefusedError" in (job.error or "")
        runner = app.test_cli_runner()

        listing = runner.invoke(args=["jobs"])
        assert listing.exit_code == 0, listing.output
        assert f"{job.id}  {MAIL_JOB}  1 attempts" in listing.output
        assert "ConnectionRefusedError" in listing.output
        login_as(auth, world, "admin")
        dashboard = client.get("/admin/").get_data(as_text=True)
        assert "<strong>1</strong> background job failed for good" in dashboard

        # The mail server is back (where the sink listens).
        app.extensions["mailman"].port = smtp_sink.port
        retried = runner.invoke(args=["jobs", "retry", str(job.id)])
        assert retried.exit_code == 0, retried.output
        assert f"Job {job.id} queued again." in retried.output
        (mail,) = smtp_sink.wait_for(1)
        assert mail.rcpt_tos == ["carol@example.org"]
        assert runner.invoke(args=["jobs"]).output.strip() == "No failed jobs."
        assert "No background job has failed for good." in client.get("/admin/").get_data(
            as_text=True
        )

    def test_a_failed_job_can_be_discarded_and_an_unknown_id_is_refused(
        self, app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.ERROR, logger="forumapp")
        register(client)
        (job,) = jobs(app)
        runner = app.test_cli_runner()

        discarded = runner.invoke(args=["jobs", "discard", str(job.id)])
        again = runner.invoke(args=["jobs", "retry", str(job.id)])

        assert discarded.exit_code == 0, discarded.output
        assert f"Job {job.id} discarded." in discarded.output
        assert again.exit_code == 1
        assert f"No failed job with id {job.id}." in again.output
        assert [row.state for row in jobs(app)] == [DISCARDED]

"""A real ``forumapp worker`` process takes jobs from a real Redis and sends their emails
to a real SMTP sink; a job whose Redis was down at commit time is kept and sent later."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.jobs.models import DONE, PENDING, Job
from tests.conftest import register
from tests.faults.redis_server import FaultyRedis, running_redis
from tests.servers import environment_with, stop
from tests.smtp import SmtpSink

pytestmark = pytest.mark.slow

FORUMAPP_SCRIPT = Path(sys.executable).parent / "forumapp"
#: A worker process imports the app and connects before it takes its first job.
WORKER_WAIT_SECONDS = 60.0


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[FaultyRedis]:
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def config_overrides(redis_server: FaultyRedis, smtp_sink: SmtpSink) -> dict[str, Any]:
    """The production shape: jobs go to Redis and a worker sends the mail."""
    return {
        "JOBS_IMMEDIATE": False,
        "JOBS_URL": redis_server.uri,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_sink.port,
        "MAIL_TIMEOUT": 5,
    }


@contextlib.contextmanager
def worker(app: Flask, workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``forumapp worker`` on the app's database, queue and mail server; always stopped."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "EXTERNAL_URL", "JOBS_URL")
    keys += ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")
    settings = {key: app.config[key] for key in keys}
    settings["INSTANCE_PATH"] = str(workdir / "worker-instance")
    log = workdir / "worker.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(FORUMAPP_SCRIPT), "worker", "--workers", "1"],
            env=environment_with(settings),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        stop(process)


def job_states(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Job.state).order_by(Job.id)))


def test_a_worker_process_sends_the_activation_email_from_redis(
    app: Flask, client: FlaskClient, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    with worker(app, tmp_path):
        assert register(client).status_code == 302

        (mail,) = smtp_sink.wait_for(1, timeout=WORKER_WAIT_SECONDS)

    assert mail.rcpt_tos == ["bob@example.org"]
    assert "Activate your account" in mail.subject
    assert job_states(app) == [DONE]


def test_a_job_whose_redis_was_down_at_commit_is_kept_and_sent_once_it_is_back(
    app: Flask,
    client: FlaskClient,
    smtp_sink: SmtpSink,
    redis_server: FaultyRedis,
    tmp_path: Path,
) -> None:
    redis_server.stop()

    assert register(client).status_code == 302

    assert job_states(app) == [PENDING]
    redis_server.start()
    # The worker relays what is pending when it starts (and every minute after).
    with worker(app, tmp_path):
        (mail,) = smtp_sink.wait_for(1, timeout=WORKER_WAIT_SECONDS)
    assert mail.rcpt_tos == ["bob@example.org"]
    assert job_states(app) == [DONE]

"""A real ``forumapp worker`` process takes jobs from a real Redis and sends their emails
to a real SMTP sink; a job whose Redis was down at commit time is kept and sent later; a
job a restarted Redis lost is handed over again; a job whose worker is killed mid-run is
taken back once its lease lapses and sent by the next worker."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forumapp.extensions import db
from forumapp.jobs.factories import jobs_of
from forumapp.jobs.models import DONE, PENDING, QUEUED, RUNNING, Job
from forumapp.jobs.queue import unclaimed_after
from forumapp.sqltypes import utcnow
from tests.conftest import register
from tests.faults.redis_server import FaultyRedis, running_redis
from tests.servers import environment_with, free_port, stop
from tests.smtp import SmtpSink

pytestmark = pytest.mark.slow

FORUMAPP_SCRIPT = Path(sys.executable).parent / "forumapp"
#: A worker process imports the app and connects before it takes its first job.
WORKER_WAIT_SECONDS = 60.0
#: The lease of the killed-worker test: short, so the test waits seconds, not minutes.
SHORT_LEASE_SECONDS = 2


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
def worker(app: Flask, workdir: Path, **overrides: object) -> Iterator[subprocess.Popen[bytes]]:
    """``forumapp worker`` on the app's database, queue and mail server (or what
    ``overrides`` says); always stopped."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "EXTERNAL_URL", "JOBS_URL")
    keys += ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT", "JOBS_LEASE_SECONDS")
    settings: dict[str, object] = {key: app.config[key] for key in keys}
    settings["INSTANCE_PATH"] = str(workdir / "worker-instance")
    settings.update(overrides)
    log = workdir / f"worker-{len(list(workdir.glob('worker-*.log')))}.log"
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


def test_a_job_lost_by_a_restarted_redis_is_handed_over_again_and_sent_once(
    app: Flask,
    client: FlaskClient,
    smtp_sink: SmtpSink,
    redis_server: FaultyRedis,
    tmp_path: Path,
) -> None:
    assert register(client).status_code == 302
    assert job_states(app) == [QUEUED]
    assert jobs_of(app).huey.pending_count() == 1
    # Redis restarts without persistence before any worker took the job: it is gone.
    redis_server.stop()
    redis_server.start()
    assert jobs_of(app).huey.pending_count() == 0
    # No test waits the 16 minutes a queued job may wait for its retry: it was queued then.
    window = unclaimed_after(app.config["JOBS_RETRIES"], app.config["JOBS_RETRY_DELAY"])
    with app.app_context():
        db.session.execute(update(Job).values(queued_at=utcnow() - window - timedelta(minutes=1)))
        db.session.commit()

    # The worker's first relay hands it over again (the periodic relay would too).
    with worker(app, tmp_path):
        (mail,) = smtp_sink.wait_for(1, timeout=WORKER_WAIT_SECONDS)

    assert mail.rcpt_tos == ["bob@example.org"]
    with app.app_context():
        assert db.session.execute(select(Job.state, Job.attempts)).one() == (DONE, 1)


class SilentMailServer:
    """Accepts SMTP connections and never says a word: a worker sending to it hangs in
    the middle of its job until it is killed."""

    def __init__(self) -> None:
        self.port = free_port()
        self.connected = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self._listener.accept()
                self._accepted.append(connection)
                self.connected.set()

    def close(self) -> None:
        """Stop listening and drop the held connections."""
        self._listener.close()
        for connection in self._accepted:
            connection.close()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail after a generous timeout (never a timing
    assertion: only a worker that never gets there fails it)."""
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting: {what}"
        time.sleep(0.1)


def lease_lapsed(app: Flask) -> bool:
    """Whether the one job is running and its lease has lapsed."""
    with app.app_context():
        state, expires = db.session.execute(select(Job.state, Job.lease_expires_at)).one()
    return bool(state == RUNNING and expires is not None and expires < utcnow())


class TestKilledWorker:
    """A worker is killed (SIGKILL) in the middle of sending an email."""

    @pytest.fixture
    def config_overrides(self, config_overrides: dict[str, Any]) -> dict[str, Any]:
        """The module's production shape, with a short lease."""
        return {**config_overrides, "JOBS_LEASE_SECONDS": SHORT_LEASE_SECONDS}

    def test_its_job_is_taken_back_after_the_lease_and_sent_by_the_next_worker(
        self, app: Flask, client: FlaskClient, smtp_sink: SmtpSink, tmp_path: Path
    ) -> None:
        silent = SilentMailServer()
        try:
            # Its mail server never answers, and it waits far longer than the test.
            with worker(app, tmp_path, MAIL_PORT=silent.port, MAIL_TIMEOUT=600) as doomed:
                assert register(client).status_code == 302
                assert silent.connected.wait(WORKER_WAIT_SECONDS), "the worker never sent"
                assert job_states(app) == [RUNNING]
                doomed.kill()
                doomed.wait(timeout=WORKER_WAIT_SECONDS)
        finally:
            silent.close()
        wait_until(lambda: lease_lapsed(app), "the killed worker's lease to lapse")

        # The next worker takes the job back as it starts (the periodic relay would too).
        with worker(app, tmp_path):
            (mail,) = smtp_sink.wait_for(1, timeout=WORKER_WAIT_SECONDS)

        assert mail.rcpt_tos == ["bob@example.org"]
        with app.app_context():
            columns = (Job.state, Job.attempts, Job.claims, Job.lease_lost_at.is_not(None))
            job = db.session.execute(select(*columns)).one()
        assert tuple(job) == (DONE, 2, 2, True)

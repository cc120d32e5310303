"""Redis stopped, frozen and restarted under ``gunicorn -w 3``, with readers browsing all along.

The deployment runs on a SQLite file and a Redis of the test's own (never the suite's
shared one), so it runs in both passes of ``.ci/run``. Each worker finds out about the
outage by itself: every one must answer reads, refuse writes with a 503 and count again
once Redis is back.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from forumapp import create_app
from forumapp.extensions import db
from forumapp.forum.models import Post
from forumapp.limit_storage import UNAVAILABLE_MESSAGE
from tests.api_support import PROBLEM_JSON, issue_token
from tests.conftest import FAST_HASHING, base_config, migrate, user_maker
from tests.faults.redis_server import FaultyRedis, running_redis
from tests.forum_world import World, build_world
from tests.functional.test_forum_counters import stored_and_recounted
from tests.production.backends import IN_CI
from tests.production.conftest import (
    GUNICORN,
    Client,
    Deployment,
    gunicorn_command,
    wait_until_serving,
)
from tests.servers import environment_with, free_port, stop

pytestmark = pytest.mark.slow

WORKERS = 3
#: A reader never hangs on Redis (a loaded machine can take a few seconds for a page); a
#: write waits one storage timeout at most, plus slack.
READ_SECONDS = 5.0
WRITE_SECONDS = 2.0
#: How soon after Redis answers again every worker must be counting there.
RECOVERY_SECONDS = 5.0
#: Writes sent during each phase: enough that several workers answer some.
ATTEMPTS = 9


@dataclass
class Readers:
    """Guests and a member reading pages in threads; every answer's status and time."""

    client: Client
    paths: list[str]
    answers: list[tuple[str, int, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Read the pages in turn until told to stop."""
        while not self._stop.is_set():
            for path in self.paths:
                started = time.monotonic()
                status, _ = self.client.get(path)
                self.answers.append((path, status, time.monotonic() - started))

    @contextlib.contextmanager
    def browsing(self, threads: int = 2) -> Iterator[None]:
        """Readers at work in ``threads`` threads for the duration of the block."""
        workers = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]
        for worker in workers:
            worker.start()
        try:
            yield
        finally:
            self._stop.set()
            for worker in workers:
                worker.join(timeout=30)


def api_post(
    deployment: Deployment, token: str, path: str, body: dict[str, Any]
) -> tuple[int, str, str]:
    """POST JSON to the API with a token: the status, the content type and the body."""
    request = urllib.request.Request(  # noqa: S310  (the deployment's own address)
        deployment.base_url + "/api/v1" + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get_content_type(), error.read().decode()


@dataclass
class Site:
    """The deployment, what it was seeded with, and the app to look at its database."""

    deployment: Deployment
    app: Flask
    world: World
    topic: int
    token: str

    def posts(self) -> int:
        """How many posts are stored."""
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Post)) or 0


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[FaultyRedis]:
    """The deployment's own Redis (see tests/faults/redis_server.py)."""
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def site(tmp_path: Path, redis: FaultyRedis) -> Iterator[Site]:
    """``gunicorn -w 3`` on a migrated SQLite file seeded with a small forum."""
    if not GUNICORN.is_file():
        if IN_CI:
            pytest.fail(f"gunicorn is missing ({GUNICORN}): pip install -e '.[test]'")
        pytest.skip(f"gunicorn is missing ({GUNICORN})")
    database = tmp_path / "forumapp.sqlite3"
    migrate(database)
    app = create_app(base_config(database))
    world = build_world(app, user_maker(app))
    topic = world.topic("member2", title="Everyone reads this")
    token = issue_token(app, world.users["member"])
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "RATELIMIT_STORAGE_URI": redis.uri,
        "RATELIMIT_STORAGE_TIMEOUT": "0.3",
        "SECRET_KEY": "faults-test-secret-key-0123456789abcdef",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_BACKEND": "locmem",
        "EXTERNAL_URL": "http://forum.test",
        "FORUM_POST_LIMIT": "1000 per minute",
        **{key: str(value) for key, value in FAST_HASHING.items()},
    }
    env = environment_with(settings)
    port = free_port()
    deployment = Deployment(
        f"http://127.0.0.1:{port}",
        make_url(f"sqlite:///{database}"),
        tmp_path / "access.log",
        tmp_path / "error.log",
    )
    process = subprocess.Popen(
        gunicorn_command(deployment, port, WORKERS),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(process, deployment, WORKERS)
        yield Site(deployment, app, world, topic, token)
    finally:
        stop(process, timeout=30)
        with app.app_context():
            db.engine.dispose()


def reply(member: Client, site: Site, token: str, text: str) -> tuple[int, float, str]:
    """Reply through the web form: the status, the seconds it took and the page."""
    started = time.monotonic()
    status, page = member.request(
        f"/topic/{site.topic}/reply", {"csrf_token": token, "content": text, "submit": "1"}
    )
    return status, time.monotonic() - started, page


def test_every_worker_reads_on_refuses_writes_and_recovers_through_a_redis_outage(
    site: Site, redis: FaultyRedis
) -> None:
    deployment = site.deployment
    member = Client(deployment)
    assert member.login("alice") == 302
    token = member.csrf_token(f"/topic/{site.topic}/reply")
    readers = Readers(
        Client(deployment), ["/", f"/topic/{site.topic}", f"/forum/{site.world.forum_a}"]
    )
    before = site.posts()
    mark = deployment.log_mark()

    with readers.browsing():
        # Down: every write and login gets the 503 page, quickly; nothing is written.
        redis.stop()
        for n in range(ATTEMPTS):
            status, took, page = reply(member, site, token, f"while down {n}")
            assert status == 503 and UNAVAILABLE_MESSAGE in page, (status, page[:300])
            assert took < WRITE_SECONDS
            status, kind, body = api_post(
                deployment, site.token, "/posts/", {"topic_id": site.topic, "content": "x"}
            )
            assert (status, kind) == (503, PROBLEM_JSON), body
        assert Client(deployment, "192.0.2.9").login("bob") == 503

        # Frozen: the same, each within one storage timeout.
        redis.start()
        redis.freeze()
        for n in range(ATTEMPTS):
            status, took, page = reply(member, site, token, f"while frozen {n}")
            assert status == 503 and UNAVAILABLE_MESSAGE in page, (status, page[:300])
            assert took < WRITE_SECONDS
        assert site.posts() == before

        # Back: within seconds every worker counts in Redis again.
        redis.thaw()
        back = time.monotonic()
        written = [reply(member, site, token, f"back {n}")[0] for n in range(ATTEMPTS)]
        assert written == [302] * ATTEMPTS
        assert time.monotonic() - back < RECOVERY_SECONDS

    refused_by = set(deployment.worker_pids("POST", f"/topic/{site.topic}/reply", since=mark))
    assert len(refused_by) > 1, "all writes went to one worker"
    slow = [(path, took) for path, _, took in readers.answers if took >= READ_SECONDS]
    failed = [(path, status) for path, status, _ in readers.answers if status != 200]
    assert readers.answers and not failed and not slow, (failed, slow)
    assert site.posts() == before + ATTEMPTS
    stored, recounted = stored_and_recounted(site.app)
    assert stored == recounted

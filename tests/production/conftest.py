"""The production profile as deployed: ``gunicorn -w 4 "forumapp:create_app()"`` on
PostgreSQL and Redis, driven over HTTP by concurrent clients.

Needs ``FORUMAPP_TEST_DATABASE_URL`` (PostgreSQL), ``FORUMAPP_TEST_RATELIMIT_STORAGE_URI``
(Redis) and gunicorn. Without them these tests skip with a message saying what to set,
except in CI (``CI=true``), where an unreachable server or a missing gunicorn fails them.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from forumapp import create_app, settings
from forumapp.extensions import db
from forumapp.forum.actor import load_actor
from forumapp.forum.posting import PostingService
from forumapp.forum.structure import ForumStructure
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests import servers
from tests.conftest import FAST_HASHING, PASSWORD, base_config, user_maker
from tests.production.backends import (
    IN_CI,
    TEST_DATABASE_URL,
    TEST_RATELIMIT_STORAGE_URI,
    PostgresServer,
    postgres_url,
    redis_problem,
)

GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 4
START_TIMEOUT = 60.0
HOW_TO = (
    "start PostgreSQL and Redis (see README → Development, or run .ci/run) and set "
    "FORUMAPP_TEST_DATABASE_URL=postgresql+psycopg://forumapp:forumapp@127.0.0.1:5433/forumapp "
    "FORUMAPP_TEST_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6390/0; "
    "pip install -e '.[test]'"
)

#: Small limits, so that hammering shows them; flood control out of the way of 200 posts.
LOGIN_LIMIT = 7
LOGIN_ACCOUNT_LIMIT = 4
SERVER_SETTINGS = {
    "AUTH_LOGIN_LIMIT": f"{LOGIN_LIMIT} per 10 minutes",
    "AUTH_LOGIN_ACCOUNT_LIMIT": f"{LOGIN_ACCOUNT_LIMIT} per 10 minutes",
    "FORUM_POST_LIMIT": "1000 per minute",
    # One trusted proxy (these tests) says which client each request is for.
    "PROXY_FIX_X_FOR": "1",
}
POSTERS = 20


def missing_production_tools() -> list[str]:
    """What the multi-worker tests need and this machine lacks."""
    missing = []
    if TEST_DATABASE_URL is None:
        missing.append("FORUMAPP_TEST_DATABASE_URL (PostgreSQL)")
    else:
        engine = create_engine(postgres_url(), poolclass=NullPool)
        try:
            with engine.connect():
                pass
        except Exception as exc:  # any driver or connection error says the same
            missing.append(f"PostgreSQL at FORUMAPP_TEST_DATABASE_URL ({exc.__class__.__name__})")
        finally:
            engine.dispose()
    if TEST_RATELIMIT_STORAGE_URI is None:
        missing.append("FORUMAPP_TEST_RATELIMIT_STORAGE_URI (Redis)")
    else:
        problem = redis_problem(TEST_RATELIMIT_STORAGE_URI)
        if problem:
            missing.append(problem)
    if not GUNICORN.is_file():
        missing.append(f"gunicorn ({GUNICORN})")
    return missing


@pytest.fixture(scope="module")
def production_tools() -> None:
    """Fail in CI when a server or gunicorn is missing, skip elsewhere."""
    missing = missing_production_tools()
    if not missing:
        return
    unset = TEST_DATABASE_URL is None and TEST_RATELIMIT_STORAGE_URI is None
    if IN_CI and not unset:
        pytest.fail(f"the production profile tests need {'; '.join(missing)}: {HOW_TO}")
    if IN_CI:
        pytest.skip("runs in the PostgreSQL + Redis pass of .ci/run (this is the SQLite pass)")
    pytest.skip(f"the production profile tests need {'; '.join(missing)}: {HOW_TO}")


# -- the deployment ----------------------------------------------------------------------------


@dataclass
class Deployment:
    """gunicorn serving forumapp on its own PostgreSQL database, and what it was seeded with."""

    base_url: str
    database: URL
    access_log: Path
    error_log: Path
    topic_id: int = 0
    forum_id: int = 0
    users: dict[str, int] = field(default_factory=dict)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}"
            for log in (self.error_log, self.access_log)
            if log.exists()
        )

    def log_mark(self) -> int:
        """Where the access log ends now (see :meth:`worker_pids`)."""
        return len(self.access_log.read_text().splitlines())

    def worker_pids(self, method: str, path: str, since: int = 0) -> list[int]:
        """The pid of the worker that served each logged request for ``method path``."""
        pids = []
        for line in self.access_log.read_text().splitlines()[since:]:
            pid, logged_method, logged_path, *_ = line.split()
            if logged_method == method and logged_path == path:
                pids.append(int(pid.strip("<>")))
        return pids

    def scalar(self, sql: str, **params: Any) -> Any:
        engine = create_engine(self.database, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return connection.scalar(text(sql), params)
        finally:
            engine.dispose()


def server_environment(database: URL, instance: Path) -> dict[str, str]:
    """This environment without forumapp or Flask settings, plus the production profile."""
    assert TEST_RATELIMIT_STORAGE_URI is not None
    settings: Mapping[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database.render_as_string(hide_password=False),
        "RATELIMIT_STORAGE_URI": TEST_RATELIMIT_STORAGE_URI,
        # Counters of this server only: the rest of the suite empties the Redis database.
        "RATELIMIT_KEY_PREFIX": f"multiworker-{uuid.uuid4().hex}",
        "SECRET_KEY": "multiworker-test-secret-key-0123456789abcdef",
        "INSTANCE_PATH": str(instance),
        "MAIL_BACKEND": "locmem",
        "MAIL_SEND_ASYNC": "false",
        # Emails are sent by the serving process itself, as before the job queue.
        "JOBS_IMMEDIATE": "true",
        "EXTERNAL_URL": "http://forum.test",
        # Argon2 at its real cost: a login takes as long as in production.
        **SERVER_SETTINGS,
    }
    return servers.environment_with(settings)


def seed(database: URL) -> dict[str, int]:
    """Accounts, a forum and a topic, written by the app's own services. The passwords
    are hashed at forumapp's real Argon2 cost, as the server checks them."""
    real_cost = {key: getattr(settings, key) for key in FAST_HASHING}
    app = create_app({**base_config(database), **real_cost})
    make_user = user_maker(app)
    users = {name: make_user(name).id for name in ("victim", "victim2", "victim3", "opener")}
    users |= {f"poster{n:02}": make_user(f"poster{n:02}").id for n in range(POSTERS)}
    with app.app_context():
        structure = ForumStructure(db.session)
        forum = structure.create_forum(structure.create_category("Load").id, "Busy forum")
        opener = db.session.get(User, users["opener"])
        assert opener is not None
        actor = load_actor(opener.id, opener.username, opener.group)
        topic = PostingService(db.session, utcnow).create_topic(
            actor, forum.id, "Everyone replies here", "The first post"
        )
        ids = {"forum": forum.id, "topic": topic.id}
        db.session.remove()
        db.engine.dispose()
    return users | ids


@pytest.fixture(scope="module")
def deployment(
    production_tools: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """``forumapp db upgrade`` then ``gunicorn -w 4`` on a fresh PostgreSQL database."""
    workdir = tmp_path_factory.mktemp("multiworker")
    server = PostgresServer(postgres_url())
    name = server.database_name("multiworker")
    database = server.create_database(name)
    env = server_environment(database, workdir / "instance")
    process: subprocess.Popen[bytes] | None = None
    try:
        upgrade = subprocess.run(
            [str(GUNICORN.parent / "forumapp"), "db", "upgrade"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        seeded = seed(database)
        port = servers.free_port()
        deployment = Deployment(
            f"http://127.0.0.1:{port}",
            database,
            workdir / "access.log",
            workdir / "error.log",
            topic_id=seeded.pop("topic"),
            forum_id=seeded.pop("forum"),
            users=seeded,
        )
        process = subprocess.Popen(
            gunicorn_command(deployment, port, WORKERS, "--timeout", "120"),
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_serving(process, deployment)
        yield deployment
    finally:
        if process is not None:
            # The gunicorn master stops its workers first.
            servers.stop(process, timeout=30)
        server.drop_database(name)
        server.dispose()


def gunicorn_command(
    deployment: Deployment, port: int, workers: int = WORKERS, *options: str
) -> list[str]:
    """``gunicorn`` with ``workers`` serving forumapp on ``port`` (and ``options``), logging
    where ``deployment`` reads: each access log line starts with the pid of the worker that
    served it (see :meth:`Deployment.worker_pids`)."""
    return [
        str(GUNICORN),
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        *options,
        "--access-logfile", str(deployment.access_log),
        "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
        "--error-logfile", str(deployment.error_log),
        "forumapp:create_app()",
    ]  # fmt: skip


def wait_until_serving(
    process: subprocess.Popen[bytes], deployment: Deployment, workers: int = WORKERS
) -> None:
    """Until all ``workers`` have booted and the app answers."""

    def answer() -> bool:
        booted = deployment.error_log.read_text().count("Booting worker")
        return booted >= workers and Client(deployment).get("/")[0] == 200

    servers.wait_until_serving(answer, [process], deployment.logs, START_TIMEOUT)


@contextlib.contextmanager
def background_traffic(deployment: Deployment, clients: int = WORKERS - 1) -> Iterator[None]:
    """Other visitors reading pages meanwhile. On an idle server the worker that has just
    answered wins the next connection too; with the others kept busy at random, one
    client's consecutive requests go to different workers."""
    stop = threading.Event()

    def browse() -> None:
        client = Client(deployment)
        while not stop.is_set():
            client.get("/")

    threads = [threading.Thread(target=browse, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)


# -- HTTP clients ------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Client:
    """A browser-like client: its own cookies, a new connection per request (so requests
    spread over the workers), and the client address the proxy in front would report."""

    def __init__(self, deployment: Deployment, address: str = "192.0.2.1") -> None:
        self.base_url = deployment.base_url
        self.address = address
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirects(),
        )

    def request(self, path: str, form: Mapping[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        # Always http://127.0.0.1:<port>: the deployment's own address.
        request = urllib.request.Request(  # noqa: S310
            self.base_url + path, data=data, headers={"X-Forwarded-For": self.address}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        return self.request(path)

    def csrf_token(self, path: str = "/auth/login") -> str:
        status, page = self.get(path)
        match = _CSRF.search(page)
        assert status == 200 and match, f"no form at {path}: {status}"
        return match.group(1)

    def login(self, login: str, password: str = PASSWORD, token: str | None = None) -> int:
        form = {"login": login, "password": password, "csrf_token": token or self.csrf_token()}
        return self.request("/auth/login", form)[0]

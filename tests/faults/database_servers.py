"""Real servers for the database fault tests: gunicorn serving forumapp on a SQLite file
whose permissions a test may take away, and a private PostgreSQL cluster a test may stop.

The suite's shared PostgreSQL server is never stopped: a test that stops PostgreSQL runs
its own cluster (``initdb`` into a temporary folder, on a free port) and removes it after.

Tests run as root on CI machines, and root writes read-only files. gunicorn then runs
without the capabilities that let root ignore file permissions (``setpriv``), so that
``chmod 0444`` makes the database read-only for the server as it would for a service
account.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from forumapp import create_app
from forumapp.extensions import db
from forumapp.forum.actor import load_actor
from forumapp.forum.posting import PostingService
from forumapp.forum.structure import ForumStructure
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.conftest import FAST_HASHING, PASSWORD, base_config, migrate, user_maker
from tests.production.backends import IN_CI
from tests.servers import environment_with, free_port, stop, wait_until_serving

BIN = Path(sys.executable).parent
GUNICORN = BIN / "gunicorn"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
START_TIMEOUT = 60.0
#: Capabilities that let root write files whatever their mode.
ROOT_FILE_OVERRIDES = "-dac_override,-dac_read_search,-fowner"


def require(tool: Path | str, what: str) -> None:
    """Fail in CI when ``tool`` is missing, skip elsewhere."""
    found = Path(tool).is_file() if isinstance(tool, Path) else shutil.which(tool) is not None
    if found:
        return
    message = f"{what} needs {tool} (apt-get install postgresql; pip install -e '.[test]')"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def wait_for(condition: Any, timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)


# -- HTTP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One HTTP response."""

    status: int
    body: str
    headers: Mapping[str, str]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Client:
    """A browser-like client with its own cookies and a new connection per request."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirects(),
        )

    def request(self, path: str, form: Mapping[str, str] | None = None) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base_url + path, data=data)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.read().decode(), dict(error.headers))

    def get(self, path: str) -> Answer:
        return self.request(path)

    def csrf_token(self, path: str) -> str:
        answer = self.get(path)
        match = _CSRF.search(answer.body)
        assert answer.status == 200 and match, f"no form at {path}: {answer.status}"
        return match.group(1)

    def login(self, username: str) -> None:
        token = self.csrf_token("/auth/login")
        answer = self.request(
            "/auth/login", {"login": username, "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status == 302, f"login as {username}: {answer.status}"

    def reply(self, topic_id: int, token: str, content: str) -> Answer:
        """Post a reply with a CSRF token taken earlier from the reply form."""
        return self.request(f"/topic/{topic_id}/reply", {"content": content, "csrf_token": token})


def is_site_error_page(answer: Answer, status: int) -> bool:
    """Whether ``answer`` is forumapp's own error page, with its headers, for ``status``."""
    return (
        answer.status == status
        and f"Error {status}" in answer.body
        and 'class="site-header"' in answer.body
        and "frame-ancestors 'none'" in answer.headers.get("Content-Security-Policy", "")
    )


# -- the data ----------------------------------------------------------------------------------


@dataclass
class Seeded:
    """What the server was seeded with."""

    forum_id: int
    topic_id: int
    usernames: list[str]


def seed(database: Path | URL, usernames: list[str]) -> Seeded:
    """Members, a forum and a topic, written by forumapp's own services."""
    app = create_app(base_config(database))
    make_user = user_maker(app)
    users = [make_user(name) for name in usernames]
    with app.app_context():
        structure = ForumStructure(db.session)
        forum = structure.create_forum(structure.create_category("Faults").id, "Busy forum")
        opener = db.session.get(User, users[0].id)
        assert opener is not None
        actor = load_actor(opener.id, opener.username, opener.group)
        topic = PostingService(db.session, utcnow).create_topic(
            actor, forum.id, "Everyone replies here", "The first post"
        )
        seeded = Seeded(forum.id, topic.id, usernames)
        db.session.remove()
        db.engine.dispose()
    return seeded


# -- gunicorn ----------------------------------------------------------------------------------


@dataclass
class Gunicorn:
    """gunicorn serving forumapp from ``workdir``."""

    workdir: Path
    database_uri: str
    workers: int
    threads: int = 1
    base_url: str = ""
    process: subprocess.Popen[bytes] | None = None
    extra_settings: dict[str, str] = field(default_factory=dict)

    @property
    def error_log(self) -> Path:
        return self.workdir / "gunicorn-error.log"

    @property
    def app_log(self) -> Path:
        return self.workdir / "app.log"

    def environment(self) -> dict[str, str]:
        settings = {
            "SQLALCHEMY_DATABASE_URI": self.database_uri,
            "SECRET_KEY": "fault-test-secret-key-0123456789abcdef",
            "INSTANCE_PATH": str(self.workdir / "instance"),
            "MAIL_BACKEND": "locmem",
            "MAIL_SEND_ASYNC": "false",
            # Emails are sent by the serving process itself, as before the job queue.
            "JOBS_IMMEDIATE": "true",
            "EXTERNAL_URL": "http://forum.test",
            # Flood control and login limits are not what these tests are about.
            "RATELIMIT_ENABLED": "false",
            **{key: str(value) for key, value in FAST_HASHING.items()},
            **self.extra_settings,
        }
        return environment_with(settings)

    def start(self) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        command = [
            str(GUNICORN),
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--bind", f"127.0.0.1:{port}",
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--error-logfile", str(self.error_log),
            # The app is built once, before the workers fork (so they boot in a moment):
            # it must not have opened a connection by then.
            "--preload",
            "forumapp:create_app()",
        ]  # fmt: skip
        if os.geteuid() == 0:
            require("setpriv", "running gunicorn as root without root's file overrides")
            command = ["setpriv", f"--bounding-set={ROOT_FILE_OVERRIDES}", "--", *command]
        # The app's own log (what failed, and why) goes to stderr.
        with self.app_log.open("ab") as app_log:
            self.process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=self.environment(),
                stdout=subprocess.DEVNULL,
                stderr=app_log,
            )
        self._wait_for_workers(self.workers)

    def booted(self) -> int:
        with contextlib.suppress(OSError):
            return self.error_log.read_text().count("Booting worker")
        return 0

    def _wait_for_workers(self, total: int) -> None:
        def serving() -> bool:
            return self.booted() >= total and Client(self.base_url).get("/auth/login").status == 200

        assert self.process is not None
        wait_until_serving(serving, [self.process], self.logs, START_TIMEOUT, interval=0.05)

    def restart_workers(self) -> None:
        """New workers (gunicorn's reload on SIGHUP); returns once they have booted."""
        assert self.process is not None
        booted = self.booted()
        self.process.send_signal(signal.SIGHUP)
        self._wait_for_workers(booted + self.workers)

    def stop(self) -> None:
        if self.process is None:
            return
        stop(self.process, timeout=20)
        self.process = None

    def logs(self) -> str:
        texts = []
        for log in (self.error_log, self.app_log):
            with contextlib.suppress(OSError):
                texts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}")
        return "\n".join(texts)


@contextlib.contextmanager
def gunicorn(
    workdir: Path, database_uri: str, workers: int, threads: int = 1, **settings: str
) -> Iterator[Gunicorn]:
    """A running :class:`Gunicorn`, stopped however the block ends."""
    require(GUNICORN, "serving forumapp with gunicorn")
    server = Gunicorn(workdir, database_uri, workers, threads, extra_settings=settings)
    try:
        server.start()
        yield server
    finally:
        server.stop()


# -- SQLite ------------------------------------------------------------------------------------


@dataclass
class SqliteFile:
    """The deployment's database file, whose permissions a test takes away and gives back."""

    path: Path

    @property
    def uri(self) -> str:
        return f"sqlite:///{self.path}"

    def files(self) -> list[Path]:
        names = [self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))]
        return [path for path in names if path.exists()]

    def make_read_only(self) -> None:
        for path in self.files():
            path.chmod(0o444)

    def make_writable(self) -> None:
        for path in self.files():
            path.chmod(0o644)

    @contextlib.contextmanager
    def read_only(self) -> Iterator[None]:
        self.make_read_only()
        try:
            yield
        finally:
            self.make_writable()

    def scalar(self, sql: str, *params: Any) -> Any:
        # Read-only and without touching the WAL files' permissions: a plain connection.
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            return connection.execute(sql, params).fetchone()[0]


def sqlite_site(workdir: Path, usernames: list[str]) -> tuple[SqliteFile, Seeded]:
    """A migrated and seeded SQLite file in ``workdir``."""
    database = SqliteFile(workdir / "forumapp.sqlite3")
    migrate(database.path)
    seeded = seed(database.path, usernames)
    return database, seeded


# -- PostgreSQL --------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL 15 cluster of the test's own, on a free port, which it may stop."""

    def __init__(self) -> None:
        require(PG_BIN / "initdb", "a PostgreSQL outage test")
        self.base = Path(tempfile.mkdtemp(prefix="forumapp-fault-pg-"))
        self.port = free_port()
        self.data = self.base / "data"
        self.url = URL.create(
            "postgresql+psycopg",
            username="forumapp",
            password="forumapp",
            host="127.0.0.1",
            port=self.port,
            database="forumapp",
        )

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        # The postgres account may not enter the working folder of the tests.
        return subprocess.run(
            [*prefix, *command],
            cwd=tempfile.gettempdir(),
            capture_output=True,
            text=True,
            timeout=60,
            check=check,
        )

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
            "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=trust", "--no-sync",
        )  # fmt: skip
        self.start()
        self._run(
            str(PG_BIN / "psql"), "-h", str(self.base), "-p", str(self.port), "-U", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q",
            "-c", "CREATE ROLE forumapp LOGIN PASSWORD 'forumapp'",
            "-c", "CREATE DATABASE forumapp OWNER forumapp",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c shared_buffers=16MB"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "server.log"),
            "-w", "-t", "60", "start", "-o", options,
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def scalar(self, sql: str, **params: Any) -> Any:
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return connection.scalar(text(sql), params)
        finally:
            engine.dispose()

    def remove(self) -> None:
        if self.data.exists():
            self._run(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop",
                check=False,
            )  # fmt: skip
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running :class:`PrivatePostgres`, removed however the block ends."""
    cluster = PrivatePostgres()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()

"""Shared fixtures: an app on a freshly migrated database, a client, users and captured mail.

The database is a copy of a migrated SQLite file, or with ``FORUMAPP_TEST_DATABASE_URL`` set
a PostgreSQL database brought back to its freshly migrated state before each test; with
``FORUMAPP_TEST_RATELIMIT_STORAGE_URI`` set the rate limits count in Redis. See
``tests/production/backends.py``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import select
from sqlalchemy.engine import URL

from forumapp import create_app
from forumapp.auth.factories import password_hasher
from forumapp.extensions import db
from forumapp.resources import migrations_folder
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User, email_key, username_key
from tests.forum_world import World, build_world
from tests.production.backends import (
    ON_POSTGRESQL,
    TEST_RATELIMIT_STORAGE_URI,
    MigratedBaseline,
    PostgresServer,
    RedisDatabase,
    postgres_url,
)
from tests.smtp import smtp_sink  # noqa: F401  (a fixture shared by the SMTP and browser tests)

PASSWORD = "correct horse battery staple"


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once for the whole run rather than once per test app.

    Each app has its own Jinja environment, and compiling the templates it renders cost
    about a tenth of a second per test. Buckets are keyed by name and checked against the
    source's checksum, so an edited template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _CompiledTemplates()}

#: Cheap Argon2 parameters: the same code path, a hundredth of the time.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


def base_config(database: Path | URL | str) -> dict[str, Any]:
    """Configuration every test app starts from; ``database`` is a SQLite file or a URL."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri(database),
        "MAIL_BACKEND": "locmem",
        "MAIL_SEND_ASYNC": False,
        # Jobs run as they are enqueued, so emails are in the outbox when the page returns.
        "JOBS_IMMEDIATE": True,
        "EXTERNAL_URL": "http://forum.test",
        # Settings saved in the panel are looked for once per test app, not per request.
        "SETTINGS_CHECK_SECONDS": 3600,
        **FAST_HASHING,
    }
    if TEST_RATELIMIT_STORAGE_URI:
        config["RATELIMIT_STORAGE_URI"] = TEST_RATELIMIT_STORAGE_URI
    return config


def database_uri(database: Path | URL | str) -> str:
    """The SQLAlchemy URI of a SQLite file, or of a URL (with its password)."""
    if isinstance(database, URL):
        return database.render_as_string(hide_password=False)
    if isinstance(database, str):
        return database
    return f"sqlite:///{database}"


def skip_on_postgresql(reason: str) -> pytest.MarkDecorator:
    """For a test that is about SQLite itself; it runs in the SQLite pass."""
    return pytest.mark.skipif(
        ON_POSTGRESQL, reason=f"SQLite only (the SQLite pass runs it): {reason}"
    )


def postgresql_only(reason: str) -> pytest.MarkDecorator:
    """For a test that is about PostgreSQL itself; it runs in the PostgreSQL pass."""
    return pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason=f"PostgreSQL only: {reason}; set FORUMAPP_TEST_DATABASE_URL to run it",
    )


def xfail_on_postgresql(reason: str) -> pytest.MarkDecorator:
    """A known forumapp failure on PostgreSQL (strict: the fix must remove this mark)."""
    return pytest.mark.xfail(ON_POSTGRESQL, strict=True, reason=f"PostgreSQL: {reason}")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's FORUMAPP_* variables must not change what the tests see.
    for name in list(os.environ):
        if name.startswith("FORUMAPP_"):
            monkeypatch.delenv(name)


def migrate(database: Path | URL | str, revision: str = "head") -> None:
    """Run the real migrations on ``database``."""
    app = create_app(base_config(database))
    with app.app_context():
        upgrade(directory=migrations_folder(), revision=revision)
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    """The PostgreSQL server of ``FORUMAPP_TEST_DATABASE_URL``, or None on SQLite."""
    if not ON_POSTGRESQL:
        yield None
        return
    server = PostgresServer(postgres_url())
    server.drop_leftovers()
    yield server
    server.dispose()


@pytest.fixture(scope="session")
def migrated_database(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer | None
) -> Iterator[Path | MigratedBaseline]:
    """A database built once by the real migrations: a SQLite file each test gets a copy
    of, or a PostgreSQL database each test gets back in its freshly migrated state."""
    if postgres_server is None:
        path = tmp_path_factory.mktemp("template") / "forumapp.sqlite3"
        migrate(path)
        yield path
        return
    name = postgres_server.database_name()
    url = postgres_server.create_database(name)
    migrate(url)
    baseline = MigratedBaseline(url)
    baseline.capture()
    yield baseline
    baseline.dispose()
    postgres_server.drop_database(name)


@pytest.fixture
def empty_database(tmp_path: Path, postgres_server: PostgresServer | None) -> Iterator[Path | URL]:
    """A database with no tables at all, for tests that run migrations themselves."""
    if postgres_server is None:
        yield tmp_path / "empty.sqlite3"
        return
    name = postgres_server.database_name("empty")
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def ratelimit_storage() -> Iterator[RedisDatabase | None]:
    """The Redis database of ``FORUMAPP_TEST_RATELIMIT_STORAGE_URI``, or None (memory)."""
    if not TEST_RATELIMIT_STORAGE_URI:
        yield None
        return
    storage = RedisDatabase(TEST_RATELIMIT_STORAGE_URI)
    yield storage
    storage.close()


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change the app's configuration."""
    return {}


@pytest.fixture
def app(
    tmp_path: Path,
    migrated_database: Path | MigratedBaseline,
    ratelimit_storage: RedisDatabase | None,
    config_overrides: dict[str, Any],
) -> Iterator[Flask]:
    """A fresh app on its own copy of the migrated database (on PostgreSQL: on the
    migrated database, emptied of what earlier tests wrote).

    No app context stays pushed during the test: requests made while one is pushed
    would share ``g`` (and so Flask-WTF's cached CSRF token) across requests. Use
    ``with app.app_context():`` around direct database work.
    """
    database: Path | URL
    if isinstance(migrated_database, MigratedBaseline):
        migrated_database.reset()
        database = migrated_database.url
    else:
        database = tmp_path / "forumapp.sqlite3"
        shutil.copy(migrated_database, database)
    if ratelimit_storage is not None:
        ratelimit_storage.flush()
    app = create_app({**base_config(database), **config_overrides})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that keeps cookies."""
    return app.test_client()


@pytest.fixture
def outbox(app: Flask) -> list[Any]:
    """Emails sent through the locmem backend."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox  # type: ignore[no-any-return]


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(app: Flask) -> MakeUser:
    """Create a user straight in the database; the returned object is detached."""
    return user_maker(app)


def user_maker(app: Flask) -> MakeUser:
    """``make_user`` for any app."""

    def make(
        username: str = "alice",
        email: str | None = None,
        password: str = PASSWORD,
        *,
        activated: bool = True,
        group: GroupKey = GroupKey.MEMBER,
    ) -> User:
        email = email or f"{username}@example.org"
        with app.app_context():
            group_id = db.session.scalar(select(Group.id).where(Group.key == group))
            user = User(
                username=username,
                username_key=username_key(username),
                email=email,
                email_key=email_key(email),
                password_hash=password_hasher().hash(password),
                activated=activated,
                group_id=group_id,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


def csrf_token(client: FlaskClient, path: str = "/auth/login") -> str:
    """The CSRF token of the form at ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def register(
    client: FlaskClient, username: str = "bob", email: str = "bob@example.org", **extra: Any
) -> Any:
    """Submit the registration form as a person would."""
    data = {
        "username": username,
        "email": email,
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "language": "en",
        "accept_tos": "y",
        "csrf_token": csrf_token(client, "/auth/register"),
        **extra,
    }
    return client.post("/auth/register", data=data)


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, login: str = "alice", password: str = PASSWORD, **extra: Any) -> Any:
        data = {
            "login": login,
            "password": password,
            "csrf_token": csrf_token(self.client),
            **extra,
        }
        return self.client.post("/auth/login", data=data)

    def logout(self) -> Any:
        token = csrf_token(self.client, "/auth/logout")
        return self.client.post("/auth/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Login/logout helpers bound to ``client``."""
    return AuthActions(client)


def links_in(message: Any) -> list[str]:
    """The absolute links in an email's text body."""
    return re.findall(r"https?://\S+", message.body)


@pytest.fixture
def world(app: Flask, make_user: MakeUser) -> World:
    """A small forum with a member of every role (see tests/functional/forum_world.py)."""
    return build_world(app, make_user)

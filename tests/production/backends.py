"""The production backends the suite can run on: PostgreSQL and Redis.

``FORUMAPP_TEST_DATABASE_URL`` (``postgresql+psycopg://user:password@host:port/name``) names
a PostgreSQL server and an account allowed to create databases (``CREATEDB``): the suite
then runs on a database of its own there, ``<name>_test_<pid>``, which it creates, migrates
once with the real migrations and drops at the end. The database named in the URL itself is
only connected to, never changed. Before each test the tables are brought back to what the
migrations left (see :class:`MigratedBaseline`).

``FORUMAPP_TEST_RATELIMIT_STORAGE_URI`` (``redis://host:port/N``) puts every test app's rate
limit counters in that Redis database, which is emptied before each test: the suite owns it.
Under pytest-xdist each worker owns the database after it instead (``gw0`` N + 1, ``gw1``
N + 2, ...), so that one worker's flush never empties another's counters mid-test.

Both are read once, here, before the suite's autouse fixture clears every ``FORUMAPP_*``
variable from the environment of the tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

TEST_DATABASE_URL = os.environ.get("FORUMAPP_TEST_DATABASE_URL", "").strip() or None


def _redis_database_of_this_worker(uri: str | None) -> str | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if uri is None or not worker.startswith("gw"):
        return uri
    scheme, _, rest = uri.partition("://")
    address, _, path = rest.partition("/")
    database, mark, query = path.partition("?")
    number = int(database or "0") + int(worker[2:]) + 1
    return f"{scheme}://{address}/{number}{mark}{query}"


TEST_RATELIMIT_STORAGE_URI = _redis_database_of_this_worker(
    os.environ.get("FORUMAPP_TEST_RATELIMIT_STORAGE_URI", "").strip() or None
)
ON_POSTGRESQL = TEST_DATABASE_URL is not None
IN_CI = os.environ.get("CI") == "true"

#: Alembic's bookkeeping is left as the migrations wrote it.
_UNTOUCHED_TABLES = frozenset({"alembic_version"})
#: A test that leaves a transaction open must not hang the next one.
_LOCK_TIMEOUT = "10s"


def postgres_url() -> URL:
    """The URL of ``FORUMAPP_TEST_DATABASE_URL``, checked to be PostgreSQL."""
    assert TEST_DATABASE_URL is not None
    url = make_url(TEST_DATABASE_URL)
    if url.get_backend_name() != "postgresql":
        raise RuntimeError(
            "FORUMAPP_TEST_DATABASE_URL must be a PostgreSQL URL such as "
            f"postgresql+psycopg://forumapp:forumapp@127.0.0.1:5433/forumapp, not {url!r}"
        )
    return url


class PostgresServer:
    """Creates and drops the suite's databases on the server the URL names."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self._admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._prefix = f"{url.database or 'forumapp'}_test"

    def database_name(self, purpose: str = "") -> str:
        """A database name this process owns (``<name>_test_<pid>[_purpose]``)."""
        return f"{self._prefix}_{os.getpid()}" + (f"_{purpose}" if purpose else "")

    def create_database(self, name: str) -> URL:
        """A new, empty database; one left over by an earlier run of this process id goes."""
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            try:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            except Exception as exc:
                raise RuntimeError(
                    f"Cannot create the test database {name} as {self.url.username}: {exc}. "
                    f"Allow it with `ALTER ROLE {self.url.username} CREATEDB`."
                ) from exc
            # A commit need not wait for the disk: nothing here must survive a crash.
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        return self.url.set(database=name)

    def drop_database(self, name: str) -> None:
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_leftovers(self) -> None:
        """Drop the databases of earlier runs on this machine whose process is gone."""
        if self.url.host not in (None, "", "127.0.0.1", "localhost", "::1"):
            return
        with self._admin.connect() as connection:
            names = connection.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                {"pattern": f"{self._prefix}_%"},
            ).all()
        pattern = re.compile(rf"{re.escape(self._prefix)}_(\d+)(_\w+)?")
        for name in names:
            match = pattern.fullmatch(name)
            if match and not _process_exists(int(match.group(1))):
                self.drop_database(name)

    def dispose(self) -> None:
        self._admin.dispose()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class MigratedBaseline:
    """What the migrations left in a database, and how to get back to it between tests.

    Per test: one transaction that deletes every row (children first), puts back the rows
    the migrations wrote (the built-in groups) and sets every sequence back where it was,
    so ids start where they start on a freshly migrated database. It costs a few
    milliseconds on a database of this size, where ``TRUNCATE`` costs hundreds (it makes
    and syncs new files for every table) and ``CREATE DATABASE ... TEMPLATE`` plus
    ``DROP DATABASE`` cost from 300 ms to 800 ms.
    """

    url: URL
    tables: Sequence[Table] = ()
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sequences: list[tuple[str, int, bool]] = field(default_factory=list)
    _engine: Engine | None = None

    def capture(self) -> None:
        """Record the tables, their rows and the sequences, as they are now."""
        metadata = MetaData()
        with self.engine.connect() as connection:
            metadata.reflect(connection)
            self.tables = [
                table for table in metadata.sorted_tables if table.name not in _UNTOUCHED_TABLES
            ]
            for table in self.tables:
                rows = [dict(row) for row in connection.execute(select(table)).mappings()]
                if rows:
                    self.rows[table.name] = rows
            for name, start, last in connection.execute(
                text(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename),"
                    " start_value, last_value FROM pg_sequences"
                    " WHERE schemaname = current_schema()"
                )
            ):
                # last_value is NULL until the sequence is first used.
                self.sequences.append((name, start if last is None else last, last is not None))

    def reset(self) -> None:
        """Bring the database back to the captured state."""
        with self.engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.format_table
            # One round trip; the names come from the database's own catalogue.
            statements = [f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'"]
            statements += [f"DELETE FROM {quote(table)}" for table in reversed(self.tables)]  # noqa: S608
            connection.exec_driver_sql(";\n".join(statements))
            for table in self.tables:
                if table.name in self.rows:
                    connection.execute(insert(table), self.rows[table.name])
            if self.sequences:
                connection.execute(
                    text(
                        "SELECT "
                        + ", ".join(
                            f"setval(:name{i}, :value{i}, :called{i})"
                            for i in range(len(self.sequences))
                        )
                    ),
                    {
                        key: value
                        for i, (name, value, called) in enumerate(self.sequences)
                        for key, value in (
                            (f"name{i}", name),
                            (f"value{i}", value),
                            (f"called{i}", called),
                        )
                    },
                )

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_size=1)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


# -- Redis ----------------------------------------------------------------------------------


class RedisDatabase:
    """The suite's Redis database, emptied before each test."""

    def __init__(self, uri: str) -> None:
        import redis

        self.uri = uri
        self._client = redis.Redis.from_url(uri, socket_timeout=5)

    def flush(self) -> None:
        self._client.flushdb()

    def close(self) -> None:
        self._client.close()


def redis_problem(uri: str) -> str | None:
    """Why Redis at ``uri`` cannot be used, or None when it answers."""
    try:
        import redis
    except ImportError:
        return "the redis package is missing: pip install -e '.[test]'"
    client = redis.Redis.from_url(uri, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis at {uri} does not answer: {exc}"
    finally:
        client.close()
    return None

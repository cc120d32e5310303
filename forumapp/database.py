"""Engine set-up: the embedded SQLite default, its connection pragmas, and how connections
behave when the database is busy, read-only or gone."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, ExceptionContext

from forumapp.extensions import db
from forumapp.persistence import lock_wait_limit
from forumapp.resources import migrations_folder

log = logging.getLogger(__name__)

SQLITE_FILENAME = "forumapp.sqlite3"
#: SQLite's message for a write through a connection that opened the file read-only.
_READ_ONLY_MESSAGE = "readonly database"
#: Statements that make pysqlite open a transaction (see ``SqliteFile._begin_immediate``).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def default_uri(instance_path: str) -> str:
    """SQLite in the instance folder: the embedded profile's database."""
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / SQLITE_FILENAME}"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off and uses a rollback journal unless told otherwise;
    # WAL lets readers proceed while a request writes.
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def tune_engine(app: Flask) -> None:
    """Tune the app's engine: SQLite's lock waits, its write transactions and read-only
    files; on every database, a connection that cannot write is not kept."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "handle_error", _drop_read_only_connection)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "before_cursor_execute", _limit_postgresql_lock_wait)
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return
    if engine.url.database == ":memory:" or engine.url.database.startswith("file:"):
        return
    SqliteFile(engine.url.database, app.config["SQLITE_BUSY_TIMEOUT_MS"]).listen(engine)


class SqliteFile:
    """The app's SQLite database file, and the connections the app opens to it.

    * A writer waits at most ``busy_timeout_ms`` for another one (then the request
      answers 503): long enough for any write transaction of this app, which renders
      before it writes, and far below a worker's timeout.
    * Write transactions begin with ``BEGIN IMMEDIATE``, at their first write: the lock is
      taken, or waited for, before any work, and reads never hold it.
    * SQLite opens a file it cannot write read-only, without saying so; such a connection
      would stay read-only in the pool after the file is writable again, and would keep
      the file's shared memory read-only for every connection of the process. So no
      connection is opened while the file cannot be written: the request answers 503,
      and the next one tries again. Connections opened before keep working.
    """

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms

    def listen(self, engine: Engine) -> None:
        """Attach to ``engine`` and its pool."""
        event.listen(engine, "do_connect", self._before_connecting)
        event.listen(engine, "connect", self._set_busy_timeout)
        event.listen(engine, "before_cursor_execute", self._begin_immediate)

    def writable(self) -> bool:
        """Whether this process may write the database file and its WAL companions."""
        companions = [self.path.with_name(self.path.name + suffix) for suffix in ("-wal", "-shm")]
        return all(
            os.access(path, os.R_OK | os.W_OK) for path in [self.path, *companions] if path.exists()
        )

    def _before_connecting(self, *_args: Any) -> None:
        if self.path.exists() and not self.writable():
            raise sqlite3.OperationalError(f"unable to open {self.path}: the file is read-only")

    def _set_busy_timeout(self, dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")

    def _begin_immediate(
        self, connection: Connection, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        # pysqlite itself would send a plain (deferred) BEGIN before the first write.
        raw: Any = connection.connection.dbapi_connection
        if not (
            isinstance(raw, sqlite3.Connection)
            and raw.isolation_level is not None
            and not raw.in_transaction
            and _is_write(statement)
        ):
            return
        wait_ms = lock_wait_limit.get()
        if wait_ms is None:
            raw.execute("BEGIN IMMEDIATE")
            return
        raw.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            raw.execute("BEGIN IMMEDIATE")
        finally:
            raw.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


def _limit_postgresql_lock_wait(
    _connection: Connection, cursor: Any, statement: str, *_args: Any, **_kwargs: Any
) -> None:
    wait_ms = lock_wait_limit.get()
    if wait_ms is not None and _is_write(statement):
        # For the rest of the transaction, which the best-effort block ends.
        cursor.execute(f"SET LOCAL lock_timeout = {int(wait_ms)}")


def _drop_read_only_connection(context: ExceptionContext) -> None:
    # A connection that cannot write (it opened the file, or its shared memory, while they
    # were read-only) is of no use: treat it as broken, so the pool's connections are
    # replaced instead of failing again.
    if _READ_ONLY_MESSAGE in str(context.original_exception):
        log.warning("Dropping a database connection that cannot write")
        context.is_disconnect = True


def upgrade_schema(app: Flask) -> str | None:
    """Create or upgrade the database schema to the newest migration, quietly.

    Returns the revision the database was upgraded to, or ``None`` when it was up to date
    already: then Alembic is not even started, and it never logs its INFO lines here (the
    ``db`` commands still do).
    """
    # Flask-Migrate brings Alembic (about 11 MB): only processes that migrate load it.
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    head = ScriptDirectory(migrations_folder()).get_current_head()
    with app.app_context():
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return None
        alembic_logger = logging.getLogger("alembic")
        level = alembic_logger.level
        alembic_logger.setLevel(logging.WARNING)
        try:
            # ``quiet`` tells env.py to keep its logging configuration to itself.
            upgrade(directory=migrations_folder(), x_arg=["quiet=true"])
        finally:
            alembic_logger.setLevel(level)
    return head

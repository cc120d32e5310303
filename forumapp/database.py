"""Engine set-up: the embedded SQLite default and its connection pragmas."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from forumapp.resources import migrations_folder

SQLITE_FILENAME = "forumapp.sqlite3"


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
    cursor.execute("PRAGMA busy_timeout=5000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upgrade_schema(app: Flask) -> None:
    """Create or upgrade the database schema to the newest migration."""
    # Flask-Migrate brings Alembic (about 11 MB): only processes that migrate load it.
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=migrations_folder())

"""The embedded database: SQLite pragmas, and migrations that match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import text

from forumapp.extensions import db
from forumapp.forum.fulltext import include_object


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_create_exactly_the_schema_of_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_built_in_groups_exist(app: Flask) -> None:
    with app.app_context():
        rows = db.session.execute(text("SELECT key, admin, banned FROM groups ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [
        ("admin", 1, 0),
        ("super_mod", 0, 0),
        ("mod", 0, 0),
        ("member", 0, 0),
        ("banned", 0, 1),
        ("guest", 0, 0),
    ]

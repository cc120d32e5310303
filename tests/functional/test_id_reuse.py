"""Ids are never handed out twice: a deleted item's URL, cached copy and ETag can never
stand for a new item, on SQLite (AUTOINCREMENT, migration 0012) as on PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, bindparam, create_engine, text

from forumapp.extensions import db
from forumapp.resources import migrations_folder
from tests.api_support import NO_RATE_LIMITS, api_as
from tests.conftest import skip_on_postgresql
from tests.forum_world import World
from tests.functional.test_database import (  # noqa: F401  (scratch_app is a fixture)
    fill,
    scratch_app,
    snapshot,
)

#: The tables whose ids appear in URLs, caches and ETags.
TABLES = (
    "groups",
    "users",
    "auth_sessions",
    "categories",
    "forums",
    "topics",
    "posts",
    "reports",
    "audit_entries",
    "api_tokens",
)
BEFORE = "0011_posts_search_vector"
AFTER = "0012_autoincrement_ids"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


@pytest.mark.parametrize(("path", "body"), [("/categories/", {}), ("/forums/", {})])
def test_a_deleted_items_id_is_never_given_to_a_new_one(
    client: FlaskClient, world: World, path: str, body: dict[str, Any]
) -> None:
    admin = api_as(world, client, "admin")
    if path == "/forums/":
        body = {"category_id": admin.post("/categories/", {"title": "Home"}).get_json()["id"]}
    first = admin.post(path, {**body, "title": "Same title"})
    assert first.status_code == 201
    assert admin.delete(first.headers["Location"]).status_code == 204
    second = admin.post(path, {**body, "title": "Same title"})
    assert second.status_code == 201
    assert second.get_json()["id"] > first.get_json()["id"]
    assert second.headers["ETag"] != first.headers["ETag"]
    assert admin.get(first.headers["Location"]).status_code == 404


def _newest_id_after_deleting_the_newest(connection: Connection) -> tuple[int, int]:
    """Delete the newest category, add one: (deleted id, new id)."""
    deleted = connection.scalar(text("SELECT max(id) FROM categories"))
    connection.execute(text("DELETE FROM categories WHERE id = :i"), {"i": deleted})
    connection.execute(
        text("INSERT INTO categories (title, description, position) VALUES ('New', '', 9)")
    )
    new = connection.scalar(text("SELECT max(id) FROM categories"))
    return deleted, new


def _declarations(connection: Connection) -> dict[str, str]:
    query = text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN :names"
    ).bindparams(bindparam("names", expanding=True))
    return {row[0]: row[1] for row in connection.execute(query, {"names": list(TABLES)})}


def _clauses(declaration: str) -> frozenset[str]:
    """The columns and constraints of a CREATE TABLE, whatever their order."""
    body = declaration[declaration.index("(") + 1 : declaration.rindex(")")]
    return frozenset(clause.strip() for clause in re.split(r",\s*\n", body))


def _dependents(connection: Connection) -> list[tuple[str, str]]:
    rows = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger', 'view')"
            " AND sql IS NOT NULL ORDER BY name"
        )
    )
    return [(row[0], row[1]) for row in rows]


@skip_on_postgresql("AUTOINCREMENT is SQLite's; PostgreSQL's sequences never reuse")
def test_the_autoincrement_migration_keeps_data_indexes_and_triggers_both_ways(
    scratch_app: Flask,  # noqa: F811
) -> None:
    # The models are those of the newest schema: fill it, then go back to the old one.
    with scratch_app.app_context():
        upgrade(directory=migrations_folder())
    fill(scratch_app)
    with scratch_app.app_context():
        downgrade(directory=migrations_folder(), revision=BEFORE)
        with db.engine.connect() as connection:
            dependents, declared_before = _dependents(connection), _declarations(connection)
        with db.engine.begin() as connection:
            deleted, new = _newest_id_after_deleting_the_newest(connection)
        assert new == deleted  # what the migration fixes: SQLite reused the id
        with db.engine.connect() as connection:
            before = snapshot(connection)

        upgrade(directory=migrations_folder(), revision=AFTER)
        with db.engine.connect() as connection:
            assert snapshot(connection) == before
            assert _dependents(connection) == dependents
            declared = _declarations(connection)
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        assert set(declared) == set(TABLES)
        assert all("PRIMARY KEY AUTOINCREMENT" in sql for sql in declared.values())
        with db.engine.begin() as connection:
            deleted, new = _newest_id_after_deleting_the_newest(connection)
        assert new > deleted
        with db.engine.connect() as connection:
            after_upgrade = snapshot(connection)

        downgrade(directory=migrations_folder(), revision=BEFORE)
        with db.engine.connect() as connection:
            assert snapshot(connection) == after_upgrade
            assert _dependents(connection) == dependents
            restored = _declarations(connection)
            assert {name: _clauses(sql) for name, sql in restored.items()} == {
                name: _clauses(sql) for name, sql in declared_before.items()
            }
            left = connection.execute(text("SELECT name FROM sqlite_sequence")).scalars().all()
            assert not set(left) & set(TABLES)

        upgrade(directory=migrations_folder(), revision=AFTER)
        with db.engine.connect() as connection:
            assert snapshot(connection) == after_upgrade


def test_tables_made_from_the_models_never_reuse_ids_either(app: Flask) -> None:
    # A database made with create_all (tests, tools) must match the migrated one here.
    engine = create_engine("sqlite://")
    db.metadata.create_all(engine)
    with engine.connect() as connection:
        declared = _declarations(connection)
    engine.dispose()
    assert set(declared) == set(TABLES)
    assert all("PRIMARY KEY AUTOINCREMENT" in sql for sql in declared.values())


@skip_on_postgresql("AUTOINCREMENT is SQLite's")
def test_every_later_migration_keeps_ids_from_being_reused(app: Flask) -> None:
    # Batch migrations rebuild a table from reflection, which does not see AUTOINCREMENT.
    with app.app_context(), db.engine.connect() as connection:
        declared = _declarations(connection)
    assert set(declared) == set(TABLES)
    assert all("PRIMARY KEY AUTOINCREMENT" in sql for sql in declared.values())

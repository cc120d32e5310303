"""The deployment steps of the README on PostgreSQL: ``forumapp db upgrade`` on an empty
database, ``forumapp db current``, ``forumapp create-admin``, then logging in."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from forumapp import create_app
from forumapp.cli import cli
from forumapp.extensions import db
from forumapp.resources import migrations_folder
from tests.conftest import (
    FAST_HASHING,
    PASSWORD,
    AuthActions,
    base_config,
    database_uri,
    postgresql_only,
)

pytestmark = postgresql_only("the deployment steps on PostgreSQL")


def invoke(*args: str) -> Result:
    """Run ``forumapp ARGS`` in this process, with the environment as it is now."""
    apps: list[Flask] = []

    def make_app() -> Flask:
        apps.append(create_app())
        return apps[-1]

    try:
        return CliRunner().invoke(
            cli, list(args), obj=ScriptInfo(create_app=make_app), prog_name="forumapp"
        )
    finally:
        # The command's app keeps its pooled connection: close it now, not at collection.
        for app in apps:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def deployed(empty_database: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> URL:
    """The environment of a deployment pointing at an empty PostgreSQL database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMAPP_SQLALCHEMY_DATABASE_URI", database_uri(empty_database))
    monkeypatch.setenv("FORUMAPP_SECRET_KEY", "postgresql-cli-test-secret-0123456789")
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    for key, value in FAST_HASHING.items():
        monkeypatch.setenv(f"FORUMAPP_{key}", str(value))
    return empty_database


def query(database: URL, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(database, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_db_upgrade_builds_the_schema_on_an_empty_database(deployed: URL) -> None:
    head = ScriptDirectory(migrations_folder()).get_current_head()

    upgraded = invoke("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert query(deployed, "SELECT version_num FROM alembic_version") == [(head,)]
    assert ("guest",) in query(deployed, "SELECT key FROM groups")
    engine = create_engine(deployed, poolclass=NullPool)
    try:
        indexes = {index["name"] for index in inspect(engine).get_indexes("posts")}
    finally:
        engine.dispose()
    assert "ix_posts_search_vector" in indexes

    current = invoke("db", "current")
    assert current.exit_code == 0, current.output
    again = invoke("db", "upgrade")
    assert again.exit_code == 0, again.output
    assert query(deployed, "SELECT version_num FROM alembic_version") == [(head,)]


def test_create_admin_makes_an_administrator_who_can_log_in(deployed: URL) -> None:
    assert invoke("db", "upgrade").exit_code == 0
    result = invoke(
        "create-admin", "--username", "Root", "--email", "root@example.org", "--password", PASSWORD
    )
    assert result.exit_code == 0, result.output
    rows = query(
        deployed,
        "SELECT u.username, u.activated, g.key FROM users u JOIN groups g ON g.id = u.group_id",
    )
    assert rows == [("Root", True, "admin")]

    taken = invoke(
        "create-admin", "--username", "ROOT", "--email", "x@example.org", "--password", PASSWORD
    )
    assert taken.exit_code != 0

    app = create_app(base_config(deployed))
    try:
        client = app.test_client()
        assert AuthActions(client).login("root").status_code == 302
        assert "Logged in as <strong>Root</strong>" in client.get("/").get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()

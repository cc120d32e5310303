"""Migration 0015_avatars: upgrade, downgrade and upgrade again, keeping members' rows
(and their ids, which name their avatar files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from forumapp import create_app
from forumapp.extensions import db
from forumapp.resources import migrations_folder
from tests.conftest import base_config

INSERT_MEMBER = text(
    "INSERT INTO users (username, username_key, email, email_key, password_hash,"
    " activated, group_id, language, date_joined, login_attempts, post_count)"
    " VALUES ('ann', 'ann', 'a@example.org', 'a@example.org', 'x', :yes, 4, 'en',"
    " CURRENT_TIMESTAMP, 0, 0)"
)


@pytest.fixture
def scratch_app(empty_database: Path | URL) -> Iterator[Flask]:
    """An app on a database that no migration has touched yet."""
    app = create_app(base_config(empty_database))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def user_columns() -> set[str]:
    with db.engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns("users")}


def test_the_avatar_migration_adds_and_drops_the_key_and_keeps_the_members(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0014_mail_failures")
        assert "avatar_key" not in user_columns()
        db.session.execute(INSERT_MEMBER, {"yes": True})
        db.session.commit()

        upgrade(directory=migrations_folder(), revision="0015_avatars")
        assert "avatar_key" in user_columns()
        db.session.execute(text("UPDATE users SET avatar_key = 'abc' WHERE username = 'ann'"))
        db.session.commit()

        downgrade(directory=migrations_folder(), revision="0014_mail_failures")
        assert "avatar_key" not in user_columns()
        assert db.session.execute(text("SELECT id, username FROM users")).all() == [(1, "ann")]

        upgrade(directory=migrations_folder(), revision="0015_avatars")
        rows = db.session.execute(text("SELECT id, avatar_key FROM users")).all()
        assert rows == [(1, None)]  # everyone starts on their initials again
        db.session.remove()

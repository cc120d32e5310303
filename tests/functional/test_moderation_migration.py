"""Migration 0025_moderation: upgrade, downgrade and upgrade again, keeping the rows."""

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
from tests.functional.test_database import _INSERT_MEMBER, schema_differences

BEFORE, REVISION = "0020_notice_preferences", "0025_moderation"


@pytest.fixture
def scratch_app(empty_database: Path | URL) -> Iterator[Flask]:
    """An app on a database that no migration has touched yet."""
    app = create_app(base_config(empty_database))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def columns(table: str) -> set[str]:
    with db.engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns(table)}


def tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_the_moderation_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision=BEFORE)
        db.session.execute(_INSERT_MEMBER, {"yes": True})
        for statement in (
            "INSERT INTO categories (id, title, description, position) VALUES (1, 'C', '', 0)",
            "INSERT INTO forums (id, category_id, title, description, position, locked,"
            " topic_count, post_count) VALUES (1, 1, 'F', '', 0, false, 1, 1)",
            "INSERT INTO topics (id, forum_id, author_name, title, created_at, locked, sticky,"
            " deleted, post_number_seq, post_count, views, last_post_at, last_poster_name)"
            " VALUES (1, 1, 'ann', 'Old topic', CURRENT_TIMESTAMP, false, false, true, 1, 1, 0,"
            " CURRENT_TIMESTAMP, 'ann')",
            "INSERT INTO posts (id, topic_id, number, author_name, content, html,"
            " renderer_version, created_at, deleted, hidden) VALUES (1, 1, 1, 'ann', 'walrus',"
            " '<p>walrus</p>', 1, CURRENT_TIMESTAMP, false, false)",
            "INSERT INTO reports (id, post_id, reporter_id, reason, created_at, handled_at,"
            " handled_by_id, note) VALUES (1, 1, 1, 'spam', CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 1, 'looked at it')",
        ):
            db.session.execute(text(statement))
        db.session.commit()

        upgrade(directory=migrations_folder(), revision=REVISION)
        # Reports handled before keep their note, with no recorded resolution; topics
        # deleted before have no "deleted by" to show.
        assert db.session.execute(text("SELECT note, resolution FROM reports")).all() == [
            ("looked at it", "")
        ]
        assert [
            (bool(deleted), at, by)
            for deleted, at, by in db.session.execute(
                text("SELECT deleted, deleted_at, deleted_by FROM topics")
            )
        ] == [(True, None, None)]
        db.session.execute(
            text(
                "INSERT INTO member_warnings (user_id, moderator_name, reason, report_id,"
                " created_at) VALUES (1, 'mod', 'be nice', 1, CURRENT_TIMESTAMP)"
            )
        )
        db.session.execute(text("UPDATE posts SET deleted_by = 'mod'"))
        db.session.commit()
        db.session.remove()

        downgrade(directory=migrations_folder(), revision=BEFORE)
        assert "member_warnings" not in tables()
        assert not {"deleted_at", "deleted_by"} & (columns("topics") | columns("posts"))
        assert "resolution" not in columns("reports")
        assert db.session.execute(text("SELECT id, note FROM reports")).all() == [
            (1, "looked at it")
        ]
        assert db.session.execute(text("SELECT id, content FROM posts")).all() == [(1, "walrus")]
        db.session.remove()

        upgrade(directory=migrations_folder())
        assert {"deleted_at", "deleted_by"} <= columns("posts")
        assert "member_warnings" in tables()
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
            if connection.dialect.name != "sqlite":
                return
            # SQLite's full-text triggers survived: the columns were added and dropped in
            # place, not by rebuilding the tables.
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert {"posts_fts_after_insert", "topics_fts_after_update"} <= set(triggers)

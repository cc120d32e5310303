"""Migration ``0024_messages`` upgrades, downgrades and upgrades again, keeping members."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from forumapp.extensions import db
from forumapp.resources import migrations_folder
from tests.functional.test_database import (  # noqa: F401  (scratch_app is a fixture)
    _INSERT_MEMBER,
    _user_columns,
    schema_differences,
    scratch_app,
)

TABLES = {
    "conversations",
    "conversation_participants",
    "messages",
    "message_reports",
    "user_blocks",
}
COLUMNS = {"messages_from_members", "message_emails"}


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_the_messages_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,  # noqa: F811
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0023_reading")
        db.session.execute(_INSERT_MEMBER, {"yes": True})
        db.session.commit()
        upgrade(directory=migrations_folder(), revision="0024_messages")
        assert _tables() >= TABLES and _user_columns() >= COLUMNS
        # Existing members get what new ones get: both preferences on.
        row = db.session.execute(
            text("SELECT messages_from_members, message_emails FROM users")
        ).one()
        assert tuple(row) == (True, True)
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="0023_reading")
        assert not TABLES & _tables() and not COLUMNS & _user_columns()
        assert db.session.execute(text("SELECT username FROM users")).scalars().all() == ["ann"]
        db.session.remove()

        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
        db.session.remove()

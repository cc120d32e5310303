"""SQLite: never hand out an id again once its row is deleted (AUTOINCREMENT)

Revision ID: 0012_autoincrement_ids
Revises: 0011_posts_search_vector
Create Date: 2026-12-04

Without AUTOINCREMENT SQLite gives a new row the largest id plus one, so deleting the
newest category and creating another one gave the new one the old id: the same URL, and
for the same content the same ETag, so a client's cached copy of the deleted item passed
for the new one. With AUTOINCREMENT SQLite remembers the largest id ever handed out (in
sqlite_sequence). Ids appear in URLs, caches and ETags for these tables.

SQLite cannot change a column's primary key in place, so each table is rebuilt: created
anew from its own CREATE TABLE text with the id declared ``INTEGER PRIMARY KEY
AUTOINCREMENT``, filled, swapped in, and given back its indexes and triggers (the
full-text triggers on posts and topics) exactly as they were. Alembic's batch mode would
rebuild from reflection and lose nothing here either, but renaming the new table under
the search view's feet needs ``legacy_alter_table`` anyway; this keeps every definition
byte for byte. Foreign keys are off during migrations (env.py).

PostgreSQL's identity sequences never hand out a number twice: nothing to do there.
"""

import re

from alembic import op
from sqlalchemy import Connection, text

# revision identifiers, used by Alembic.
revision = "0012_autoincrement_ids"
down_revision = "0011_posts_search_vector"
branch_labels = None
depends_on = None

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

_PLAIN_ID = re.compile(r"(\n\s*)id INTEGER NOT NULL,")
_AUTOINCREMENT_ID = re.compile(r"(\n\s*)id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,")
_PRIMARY_KEY = re.compile(r",\s*CONSTRAINT \w+ PRIMARY KEY \(id\)")
_TABLE_NAME = re.compile(r'^CREATE TABLE\s+("?)(\w+)\1')


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(connection, table, _with_autoincrement)


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(connection, table, _without_autoincrement)
        connection.execute(text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})


def _with_autoincrement(definition: str, table: str) -> str:
    definition, ids = _PLAIN_ID.subn(r"\1id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", definition)
    definition, keys = _PRIMARY_KEY.subn("", definition)
    assert (ids, keys) == (1, 1), f"unexpected definition of {table}"
    return definition


def _without_autoincrement(definition: str, table: str) -> str:
    definition, ids = _AUTOINCREMENT_ID.subn(r"\1id INTEGER NOT NULL,", definition)
    assert ids == 1, f"unexpected definition of {table}"
    end = definition.rindex(")")
    return f"{definition[:end].rstrip()}, \n\tCONSTRAINT pk_{table} PRIMARY KEY (id)\n)"


def _rebuild(connection: Connection, table: str, change) -> None:
    definition = connection.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    )
    dependents = connection.scalars(
        text(
            "SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', 'trigger')"
            " AND sql IS NOT NULL ORDER BY type, name"
        ),
        {"t": table},
    ).all()
    scratch = f"_rebuild_{table}"
    new_definition = _TABLE_NAME.sub(f'CREATE TABLE "{scratch}"', change(definition, table), 1)
    # The view and triggers that read this table would stop the rename while the table is
    # away; the legacy rename leaves them alone, and they find the new table by its name.
    connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    connection.exec_driver_sql(new_definition)
    connection.exec_driver_sql(f'INSERT INTO "{scratch}" SELECT * FROM "{table}"')
    connection.exec_driver_sql(f'DROP TABLE "{table}"')
    connection.exec_driver_sql(f'ALTER TABLE "{scratch}" RENAME TO "{table}"')
    connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
    for statement in dependents:
        connection.exec_driver_sql(statement)

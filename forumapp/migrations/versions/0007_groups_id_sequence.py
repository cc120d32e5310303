"""move the groups id sequence past the built-in groups

The first migration inserts the built-in groups with explicit ids, which leaves
PostgreSQL's ``groups_id_seq`` at 1: the first group an admin creates would collide
with the Administrator group. SQLite picks max(id) + 1 and needs nothing.

Revision ID: 0007_groups_id_sequence
Revises: 0006_site_settings
Create Date: 2026-11-21

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_groups_id_sequence'
down_revision = '0006_site_settings'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('groups', 'id'),"
            " (SELECT coalesce(max(id), 1) FROM groups))"
        )


def downgrade():
    """A sequence ahead of the rows is harmless: nothing to undo."""

"""Temporary bans: when a ban ends

Revision ID: 0008_temporary_bans
Revises: 0007_groups_id_sequence
Create Date: 2026-11-21

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_temporary_bans"
down_revision = "0007_groups_id_sequence"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: SQLite's batch mode would copy the users table, and dropping the
    # old copy fires the ON DELETE actions of every table that points at users.
    op.add_column("users", sa.Column("banned_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_users_banned_until", "users", ["banned_until"], unique=False)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_banned_until"))
        batch_op.drop_column("banned_until")

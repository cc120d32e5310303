"""Avatars: the content hash naming a member's avatar files

Revision ID: 0018_avatars
Revises: 0017_two_factor
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_avatars"
down_revision = "0017_two_factor"
branch_labels = None
depends_on = None

#: Ids of deleted members are never handed out again on SQLite (see 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("avatar_key", sa.String(length=32), nullable=True))


def downgrade():
    # The files stay in the storage: nothing names them any more, and an upgrade starts
    # every member on their initials again.
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_column("avatar_key")

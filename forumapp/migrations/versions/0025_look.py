"""Look: each member's colour theme (auto, light or dark)

Revision ID: 0025_look
Revises: 0024_messages
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025_look"
down_revision = "0024_messages"
branch_labels = None
depends_on = None

#: Ids of deleted members are never handed out again on SQLite (see 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    # Existing members follow their system's setting, as new ones do.
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.add_column(
            sa.Column("theme", sa.String(length=8), nullable=False, server_default="auto")
        )


def downgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_column("theme")

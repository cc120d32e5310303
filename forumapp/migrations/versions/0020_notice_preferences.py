"""Notice preferences: whether a login from a new device emails the member

Revision ID: 0020_notice_preferences
Revises: 0019_passkeys
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020_notice_preferences"
down_revision = "0019_passkeys"
branch_labels = None
depends_on = None

#: Ids of deleted members are never handed out again on SQLite (see 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    # Existing members get the notice, as new ones do: it is opt-out.
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notify_new_sign_in", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )


def downgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_column("notify_new_sign_in")

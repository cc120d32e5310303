"""Reading: the start of a member's previous visit, and indexes for the new listings

Revision ID: 0023_reading
Revises: 0022_moderation
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023_reading"
down_revision = "0022_moderation"
branch_labels = None
depends_on = None

#: Ids of deleted members are never handed out again on SQLite (see 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    # Plain ADD COLUMN and CREATE INDEX: SQLite's batch mode would copy the users table,
    # and dropping the old copy fires the ON DELETE actions of every table that points at it.
    op.add_column("users", sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True))
    # Who's online reads members by last_seen; the member list sorts by post count.
    op.create_index("ix_users_last_seen", "users", ["last_seen"], unique=False)
    op.create_index("ix_users_post_count", "users", ["post_count"], unique=False)
    # /new lists topics by creation time across forums.
    op.create_index("ix_topics_created_at", "topics", ["created_at"], unique=False)


def downgrade():
    op.drop_index("ix_topics_created_at", table_name="topics")
    op.drop_index("ix_users_post_count", table_name="users")
    op.drop_index("ix_users_last_seen", table_name="users")
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_column("last_visit_at")

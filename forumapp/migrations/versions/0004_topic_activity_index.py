"""Index topics by last activity, for unread tracking across forums

Revision ID: 0004_topic_activity_index
Revises: 0003_search
Create Date: 2026-11-21

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0004_topic_activity_index"
down_revision = "0003_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index("ix_topics_last_post_at", ["last_post_at"], unique=False)


def downgrade():
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_last_post_at")

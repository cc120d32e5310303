"""Index the forum page as readers who do not see deleted topics read it

Revision ID: 0010_topics_visible_listing
Revises: 0009_api_tokens
Create Date: 2026-11-21

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0010_topics_visible_listing"
down_revision = "0009_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_topics_forum_visible",
            ["forum_id", "deleted", "sticky", "last_post_at", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_forum_visible")

"""Jobs remember when they were handed to the broker, so a job the broker lost is
handed over again

Revision ID: 0030_jobs_queued_at
Revises: 0029_job_leases
Create Date: 2026-12-05

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0030_jobs_queued_at"
down_revision = "0029_job_leases"
branch_labels = None
depends_on = None


def upgrade():
    # Rows queued before this revision keep no time: they count from their last attempt,
    # or their creation (see SqlJobStore.unclaimed). No index: the relay reads queued rows
    # through ix_jobs_state_id, and there are few.
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queued_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("queued_at")

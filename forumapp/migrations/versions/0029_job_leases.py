"""Job leases: a running job's claim lapses unless renewed, and the job is taken back

Revision ID: 0029_job_leases
Revises: 0027_notifications
Create Date: 2026-12-04

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029_job_leases"
down_revision = "0027_notifications"
branch_labels = None
depends_on = None


def upgrade():
    # Rows already running keep no lease: they are taken back once ``ran_at`` is one lease
    # old (see SqlJobStore.expired), so a job stuck before this revision is run again.
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claims", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("lease_lost_at", sa.DateTime(timezone=True)))
        batch_op.create_index("ix_jobs_lease_lost_at", ["lease_lost_at"], unique=False)


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_lease_lost_at")
        batch_op.drop_column("lease_lost_at")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("claims")

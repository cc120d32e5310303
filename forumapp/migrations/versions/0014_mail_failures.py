"""Mail failures: emails the backend could not send, for the management dashboard

Revision ID: 0014_mail_failures
Revises: 0013_ban_restore_group
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_mail_failures"
down_revision = "0013_ban_restore_group"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_failures")),
    )
    with op.batch_alter_table("mail_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_failures_failed_at"), ["failed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("mail_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_failures_failed_at"))

    op.drop_table("mail_failures")

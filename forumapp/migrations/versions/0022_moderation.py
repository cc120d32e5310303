"""Moderation: who deleted a topic or post and when, how a report was resolved, and
the warnings moderators give members

Revision ID: 0022_moderation
Revises: 0021_jobs
Create Date: 2026-12-04

The new columns are nullable (or have a server default), so SQLite adds and drops them
in place (``recreate="never"``): rebuilding ``posts`` or ``topics`` would drop their
full-text triggers (see 0003).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022_moderation"
down_revision = "0021_jobs"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("topics", "posts"):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("deleted_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("reports", schema=None, recreate="never") as batch_op:
        # Reports handled before this revision were closed with a note only.
        batch_op.add_column(
            sa.Column("resolution", sa.String(length=32), nullable=False, server_default="")
        )
    op.create_table(
        "member_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("moderator_name", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_warnings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name=op.f("fk_member_warnings_moderator_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_member_warnings_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_warnings")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_member_warnings_user_created", "member_warnings", ["user_id", "created_at"]
    )


def downgrade():
    op.drop_index("ix_member_warnings_user_created", table_name="member_warnings")
    op.drop_table("member_warnings")
    with op.batch_alter_table("reports", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("resolution")
    for table in ("posts", "topics"):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("deleted_by")
            batch_op.drop_column("deleted_at")

"""Credentials pages: when each login session was last used, and pending email changes

Revision ID: 0016_credentials
Revises: 0015_profile_fields
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_credentials"
down_revision = "0015_profile_fields"
branch_labels = None
depends_on = None

#: Ids are never handed out again on SQLite (see 0012); batch copies must be told (0013).
_KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("auth_sessions", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "email_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("old_email_key", sa.String(length=254), nullable=False),
        sa.Column("confirm_hash", sa.String(length=64), nullable=False),
        sa.Column("cancel_hash", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_changes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_changes")),
        sa.UniqueConstraint("cancel_hash", name=op.f("uq_email_changes_cancel_hash")),
        sa.UniqueConstraint("confirm_hash", name=op.f("uq_email_changes_confirm_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_email_changes_user_id")),
        sqlite_autoincrement=True,
    )


def downgrade():
    op.drop_table("email_changes")
    with op.batch_alter_table("auth_sessions", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_column("last_seen_at")

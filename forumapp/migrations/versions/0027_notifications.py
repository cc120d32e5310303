"""Notifications: the members' notifications, what they watch, and their email choices

Revision ID: 0027_notifications
Revises: 0026_plugins
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0027_notifications"
down_revision = "0026_plugins"
branch_labels = None
depends_on = None

#: Ids are never handed out again on SQLite (see 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}


def _key(table, column, target, ondelete="CASCADE"):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=150), nullable=False),
        sa.Column("detail", sa.String(length=24), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_status", sa.String(length=12), nullable=False),
        _key("notifications", "user_id", "users"),
        _key("notifications", "topic_id", "topics"),
        _key("notifications", "post_id", "posts"),
        _key("notifications", "conversation_id", "conversations"),
        _key("notifications", "actor_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        **_KEEP_IDS,
    )
    op.create_index(
        "ix_notifications_user_updated", "notifications", ["user_id", "updated_at", "id"]
    )
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at"])
    op.create_index(
        "ix_notifications_topic_kind", "notifications", ["topic_id", "kind", "user_id"]
    )
    op.create_index("ix_notifications_mail", "notifications", ["mail_status", "user_id"])
    op.create_index("ix_notifications_read_at", "notifications", ["read_at"])
    for target in ("topic", "forum"):
        table = f"{target}_watches"
        op.create_table(
            table,
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column(f"{target}_id", sa.Integer(), nullable=False),
            sa.Column("level", sa.String(length=12), nullable=False),
            _key(table, "user_id", "users"),
            _key(table, f"{target}_id", f"{target}s"),
            sa.PrimaryKeyConstraint("user_id", f"{target}_id", name=op.f(f"pk_{table}")),
        )
        op.create_index(f"ix_{table}_{target}_level", table, [f"{target}_id", "level"])
    op.create_table(
        "notification_email_choices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        _key("notification_email_choices", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_email_choices")),
    )
    op.create_table(
        "watch_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("watch_created", sa.Boolean(), nullable=False),
        sa.Column("watch_replied", sa.Boolean(), nullable=False),
        _key("watch_preferences", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_watch_preferences")),
    )


def downgrade():
    op.drop_table("watch_preferences")
    op.drop_table("notification_email_choices")
    for target in ("forum", "topic"):
        table = f"{target}_watches"
        op.drop_index(f"ix_{table}_{target}_level", table_name=table)
        op.drop_table(table)
    for name in ("read_at", "mail", "topic_kind", "user_read", "user_updated"):
        op.drop_index(f"ix_notifications_{name}", table_name="notifications")
    op.drop_table("notifications")

"""Plugins and themes: which plugins run, their settings, the active theme

Revision ID: 0026_plugins
Revises: 0025_look
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0026_plugins"
down_revision = "0025_look"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plugin_states",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_plugin_states")),
    )
    op.create_table(
        "plugin_settings",
        sa.Column("plugin", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plugin", "key", name=op.f("pk_plugin_settings")),
    )
    state = op.create_table(
        "extensions_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extensions_state")),
    )
    # The one row every worker reads: no plugin enabled, the default look.
    op.bulk_insert(state, [{"id": 1, "revision": 0, "theme": None}])


def downgrade():
    op.drop_table("extensions_state")
    op.drop_table("plugin_settings")
    op.drop_table("plugin_states")

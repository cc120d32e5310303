"""Bans remember the group to restore when they end

Revision ID: 0013_ban_restore_group
Revises: 0012_autoincrement_ids
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_ban_restore_group"
down_revision = "0012_autoincrement_ids"
branch_labels = None
depends_on = None

#: Ids of deleted members are never handed out again on SQLite (see 0012).
_KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    # SQLite cannot add a foreign key to an existing table: batch mode copies the table
    # (env.py switches foreign keys off while migrating, so the copy fires no cascades).
    # Reflection does not see AUTOINCREMENT (0012): the copy has to be told.
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("ban_restore_group_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_ban_restore_group_id_groups"),
            "groups",
            ["ban_restore_group_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # A group change used to leave the end date of an earlier ban behind, which would
    # later move the member out of the group chosen for them: such a ban has ended.
    op.execute(
        sa.text(
            "UPDATE users SET banned_until = NULL WHERE banned_until IS NOT NULL"
            " AND group_id NOT IN (SELECT id FROM groups WHERE banned = :banned)"
        ).bindparams(banned=True)
    )


def downgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_users_ban_restore_group_id_groups"), type_="foreignkey"
        )
        batch_op.drop_column("ban_restore_group_id")

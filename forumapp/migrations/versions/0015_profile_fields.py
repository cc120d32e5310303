"""Profile and preferences of members: display name, about, location, website,
signature, time zone and posts per page

Revision ID: 0015_profile_fields
Revises: 0014_mail_failures
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_profile_fields"
down_revision = "0014_mail_failures"
branch_labels = None
depends_on = None

#: Ids of deleted members are never handed out again on SQLite (see 0012): batch mode
#: copies the table, and reflection does not see AUTOINCREMENT (0013).
_KEEP_IDS = {"sqlite_autoincrement": True}

#: The text columns, each empty for existing members.
_TEXTS = (
    ("display_name", sa.String(length=64)),
    ("about", sa.Text()),
    ("about_html", sa.Text()),
    ("location", sa.String(length=64)),
    ("website", sa.String(length=200)),
    ("signature", sa.Text()),
    ("signature_html", sa.Text()),
)


def upgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        for name, type_ in _TEXTS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=""))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("posts_per_page", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=_KEEP_IDS) as batch_op:
        batch_op.drop_column("posts_per_page")
        batch_op.drop_column("timezone")
        for name, _type in reversed(_TEXTS):
            batch_op.drop_column(name)

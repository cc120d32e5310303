"""Revision ids fit the column Alembic keeps them in.

``alembic_version.version_num`` is ``VARCHAR(32)``: PostgreSQL refuses a longer id when the
migration is recorded (SQLite would silently accept it).
"""

from alembic.config import Config
from alembic.script import ScriptDirectory

from forumapp.resources import migrations_folder


def test_every_revision_id_fits_alembic_version() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    revisions = list(ScriptDirectory.from_config(config).walk_revisions())
    assert len(revisions) >= 10
    too_long = [revision.revision for revision in revisions if len(revision.revision) > 32]
    assert too_long == []

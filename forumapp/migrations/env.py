"""Alembic environment for forumapp, run through Flask-Migrate inside an app context."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from forumapp.forum.fulltext import include_object

config = context.config
quiet = context.get_x_argument(as_dictionary=True).get("quiet") == "true"
if config.config_file_name is not None and not quiet:
    # Keep the app's own loggers (the WSGI server's among them) working after a migration.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_state = current_app.extensions["migrate"]
engine = migrate_state.db.engine
target_metadata = migrate_state.db.metadata
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def skip_empty_autogenerate(context, revision, directives):
    """Do not write a migration file when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    """Emit SQL for the migrations without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations over a connection of the app's engine."""
    configure_args = dict(migrate_state.configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_autogenerate)
    # The full-text search index is made by migration 0003, not declared by the models.
    configure_args.setdefault("include_object", include_object)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations copy and drop tables; with foreign keys enforced, dropping
            # the old copy would cascade to (or null out) every row that points at it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, **configure_args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

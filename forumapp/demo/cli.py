"""``forumapp demo``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from forumapp.database import upgrade_schema
from forumapp.demo.builder import SCALES, DemoBuilder, DemoRefused, DemoSummary
from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from forumapp.users.factories import password_hasher
from forumapp.users.groups import GroupKey

_ROLE_LABELS = {
    GroupKey.ADMIN: "administrator",
    GroupKey.SUPER_MOD: "super moderator",
    GroupKey.MOD: "moderator",
    GroupKey.BANNED: "banned member",
}


@contextmanager
def bulk_load_pragmas(connection: Connection) -> Iterator[None]:
    """Let SQLite skip fsync during the load, then put the connection back as it was.

    A crash mid-load can corrupt a database written this way, which is acceptable for
    demo content only: never use this for the forum's own writes.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA synchronous=OFF")
    connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB for the indexes
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql(f"PRAGMA synchronous={int(synchronous or 0)}")
        connection.exec_driver_sql(f"PRAGMA cache_size={int(cache_size or 0)}")
        connection.commit()
        # Fold the write-ahead log back into the database file.
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.commit()


@click.command("demo")
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="small",
    show_default=True,
    metavar="[small|large]",
    help="small: about 30,000 posts; large: about a million (a few minutes).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same forum.")
@with_appcontext
def demo_command(scale: str, seed: int) -> None:
    """Fill an empty forum with demo members, forums, topics and posts.

    Every demo account shares one password, printed at the end: never put a demo
    database on a public site.
    """
    upgrade_schema(current_app._get_current_object())  # type: ignore[attr-defined]
    chosen = SCALES[scale]
    started = time.monotonic()
    # One connection for the whole load, so the speed-up pragmas apply to every batch.
    with (
        db.engine.connect() as connection,
        bulk_load_pragmas(connection),
        Session(bind=connection) as session,
    ):
        builder = DemoBuilder(session, password_hasher(), utcnow)
        try:
            builder.ensure_empty()
        except DemoRefused as exc:
            raise click.ClickException(
                f"{exc} Nothing was changed. To try the demo, point forumapp at a new "
                "database (FORUMAPP_SQLALCHEMY_DATABASE_URI or another instance folder)."
            ) from exc
        click.echo(
            f"Writing a {scale} demo forum: {chosen.topics:,} topics, {chosen.posts:,} posts."
        )
        with click.progressbar(length=chosen.posts, label="Posts") as bar:
            summary = builder.build(chosen, seed, progress=bar.update)
    click.echo(_report(summary, time.monotonic() - started))


def _report(summary: DemoSummary, seconds: float) -> str:
    lines = [
        f"Done in {seconds:.1f} s: {summary.categories} categories, {summary.forums} forums, "
        f"{summary.accounts:,} accounts, {summary.topics:,} topics, {summary.posts:,} posts.",
        f"The longest topic, {summary.long_topic_posts:,} posts: /topic/{summary.long_topic_id}",
        "",
        f'Every demo account uses the password "{summary.password}". Log in as:',
    ]
    lines += [f"  {_ROLE_LABELS[group]:<16} {username}" for group, username in summary.logins]
    lines += [
        f"  {'member':<16} {summary.sample_member} (or any other member)",
        "",
        "Anyone who reads this can log in as these accounts: keep demo data off public sites.",
    ]
    return "\n".join(lines)

"""The database: SQLite pragmas, PostgreSQL specifics, and migrations that match the models.

With ``FORUMAPP_TEST_DATABASE_URL`` set the whole module runs on PostgreSQL; the tests
about one database only say so and skip on the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, MetaData, inspect, select, text
from sqlalchemy.engine import URL

from forumapp import create_app
from forumapp.extensions import db
from forumapp.forum.actor import load_actor
from forumapp.forum.fulltext import SearchQuery, include_object, is_search_index_table, matcher_for
from forumapp.forum.moderation import ModerationService
from forumapp.forum.search import SearchService
from forumapp.jobs.store import SqlJobStore
from forumapp.mail import MailFailure
from forumapp.resources import migrations_folder
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group
from tests.conftest import (
    base_config,
    postgresql_only,
    skip_on_postgresql,
    user_maker,
)
from tests.forum_world import World, build_world


def schema_differences(connection: Connection) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match the models."""
    context = MigrationContext.configure(connection, opts={"include_object": include_object})
    return list(compare_metadata(context, db.metadata))


@skip_on_postgresql("WAL and foreign keys are SQLite pragmas")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_create_exactly_the_schema_of_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert schema_differences(connection) == []


def test_built_in_groups_exist(app: Flask) -> None:
    with app.app_context():
        rows = db.session.execute(text("SELECT key, admin, banned FROM groups ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [
        ("admin", 1, 0),
        ("super_mod", 0, 0),
        ("mod", 0, 0),
        ("member", 0, 0),
        ("banned", 0, 1),
        ("guest", 0, 0),
    ]


def test_a_new_group_gets_an_id_after_the_built_in_ones(app: Flask) -> None:
    """The built-in groups are inserted with explicit ids; the next id must not collide
    (on PostgreSQL the ``groups.id`` sequence has to be moved past them)."""
    with app.app_context():
        group = Group(key=None, name="Testers", description="Made by an admin")
        db.session.add(group)
        db.session.commit()
        assert group.id > 6


# -- migrations on an empty database -------------------------------------------------------


@pytest.fixture
def scratch_app(empty_database: Path | URL) -> Iterator[Flask]:
    """An app on a database that no migration has touched yet."""
    app = create_app(base_config(empty_database))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def latest_revisions() -> tuple[str, str]:
    """The newest migration and the one before it."""
    script = ScriptDirectory(migrations_folder())
    head = script.get_current_head()
    assert head is not None
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str), "the newest migration has exactly one parent"
    return head, previous


def fill(app: Flask) -> World:
    """A small forum with every kind of row: members, forums, topics, posts, a report."""
    world = build_world(app, user_maker(app))
    topic = world.topic(title="Migrating walruses", content="Walruses *travel* far")
    reply = world.reply(topic, role="member2", content="Only in winter")
    world.topic(role="moderator", forum=world.forum_b, title="Rules", content="Be kind")
    with app.app_context():
        ModerationService(db.session, utcnow).report(world.actor("member"), reply, "Off topic")
    return world


def snapshot(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the models (not Alembic's, nor SQLite's search index)."""
    metadata = MetaData()
    metadata.reflect(connection)
    rows = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version" or is_search_index_table(table.name):
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [
            dict(row) for row in connection.execute(select(table).order_by(*order)).mappings()
        ]
    return rows


def restricted(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """``before`` with only the tables and columns that ``after`` has."""
    return {
        name: [{key: row[key] for key in after[name][0]} for row in rows] if after[name] else rows
        for name, rows in before.items()
        if name in after
    }


def test_downgrading_and_upgrading_the_latest_migration_keeps_the_data(scratch_app: Flask) -> None:
    head, previous = latest_revisions()
    with scratch_app.app_context():
        upgrade(directory=migrations_folder())
    world = fill(scratch_app)
    with scratch_app.app_context():
        with db.engine.connect() as connection:
            written = snapshot(connection)
        assert written["posts"] and written["users"] and written["forums"]

        downgrade(directory=migrations_folder(), revision=previous)
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == previous
            downgraded = snapshot(connection)
        assert downgraded == restricted(written, downgraded)

        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head
            assert schema_differences(connection) == []
            upgraded = snapshot(connection)
        assert restricted(upgraded, downgraded) == downgraded
        assert {name for name in written if upgraded[name] != written[name]} <= (
            set(written) - set(downgraded)
        ), "a table the latest migration does not create changed"

        # The forum still works on the old rows: search finds them, new posts count on.
        guest_group = db.session.scalar(select(Group).where(Group.key == GroupKey.GUEST))
        assert guest_group is not None
        results = SearchService(db.session).search(load_actor(None, "", guest_group), "walruses")
        assert [hit.topic_title for hit in results.hits] == ["Migrating walruses"]
    topic = world.topic(title="After the round trip", content="Still counting")
    world.reply(topic)
    with scratch_app.app_context():
        assert (
            db.session.scalar(text("SELECT post_count FROM topics WHERE id = :t"), {"t": topic})
            == 2
        )


def test_every_migration_downgrades_to_an_empty_database_and_back(scratch_app: Flask) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder())
        downgrade(directory=migrations_folder(), revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


def test_the_mail_failures_migration_creates_and_drops_its_table(scratch_app: Flask) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0014_mail_failures")
        with db.engine.connect() as connection:
            assert "mail_failures" in inspect(connection).get_table_names()
        db.session.add(
            MailFailure(failed_at=utcnow(), recipient="a@example.org", subject="S", reason="Why")
        )
        db.session.commit()
        assert db.session.scalar(select(MailFailure.reason)) == "Why"
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="-1")
        with db.engine.connect() as connection:
            assert "mail_failures" not in inspect(connection).get_table_names()
        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


#: The columns migration 0015 adds to ``users``.
_PROFILE_COLUMNS = {
    "display_name",
    "about",
    "about_html",
    "location",
    "website",
    "signature",
    "signature_html",
    "timezone",
    "posts_per_page",
}


def _column_names(table: str) -> set[str]:
    with db.engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns(table)}


def _user_columns() -> set[str]:
    return _column_names("users")


def test_the_profile_migration_adds_and_drops_its_columns_and_keeps_members(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0014_mail_failures")
        assert not _PROFILE_COLUMNS & _user_columns()
        # The model has the new columns already: a member as 0014 knew them.
        db.session.execute(
            text(
                "INSERT INTO users (username, username_key, email, email_key, password_hash,"
                " activated, group_id, language, date_joined, login_attempts, post_count)"
                " SELECT 'walrus', 'walrus', 'w@example.org', 'w@example.org', 'x', :yes, id,"
                " 'en', CURRENT_TIMESTAMP, 0, 0 FROM groups WHERE key = 'member'"
            ).bindparams(yes=True)
        )
        db.session.commit()
        upgrade(directory=migrations_folder(), revision="0015_profile_fields")
        assert _user_columns() >= _PROFILE_COLUMNS
        row = db.session.execute(
            text("SELECT username, display_name, signature_html, timezone FROM users")
        ).one()
        # Existing members start with an empty profile and the site's preferences.
        assert tuple(row) == ("walrus", "", "", None)
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="0014_mail_failures")
        assert not _PROFILE_COLUMNS & _user_columns()
        assert db.session.scalar(text("SELECT username FROM users")) == "walrus"
        db.session.remove()
        upgrade(directory=migrations_folder())
        assert _user_columns() >= _PROFILE_COLUMNS


def test_the_credentials_migration_adds_and_removes_its_column_and_table(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0016_credentials")
        with db.engine.connect() as connection:
            inspector = inspect(connection)
            assert "email_changes" in inspector.get_table_names()
            assert "last_seen_at" in {c["name"] for c in inspector.get_columns("auth_sessions")}

        downgrade(directory=migrations_folder(), revision="0015_profile_fields")
        with db.engine.connect() as connection:
            inspector = inspect(connection)
            assert "email_changes" not in inspector.get_table_names()
            assert "last_seen_at" not in {c["name"] for c in inspector.get_columns("auth_sessions")}


def test_the_two_factor_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,
) -> None:
    tables = {"totp_credentials", "recovery_codes", "login_challenges", "login_events"}
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0017_two_factor")
        with db.engine.connect() as connection:
            assert tables <= set(inspect(connection).get_table_names())
        downgrade(directory=migrations_folder(), revision="0016_credentials")
        with db.engine.connect() as connection:
            assert not tables & set(inspect(connection).get_table_names())
        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


_INSERT_MEMBER = text(
    "INSERT INTO users (username, username_key, email, email_key, password_hash,"
    " activated, group_id, language, date_joined, login_attempts, post_count)"
    " VALUES ('ann', 'ann', 'a@example.org', 'a@example.org', 'x', :yes, 4, 'en',"
    " CURRENT_TIMESTAMP, 0, 0)"
)


def test_the_avatar_migration_adds_and_drops_the_key_and_keeps_the_members(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0017_two_factor")
        assert "avatar_key" not in _user_columns()
        db.session.execute(_INSERT_MEMBER, {"yes": True})
        db.session.commit()

        upgrade(directory=migrations_folder(), revision="0018_avatars")
        assert "avatar_key" in _user_columns()
        db.session.execute(text("UPDATE users SET avatar_key = 'abc' WHERE username = 'ann'"))
        db.session.commit()

        downgrade(directory=migrations_folder(), revision="0017_two_factor")
        assert "avatar_key" not in _user_columns()
        assert db.session.execute(text("SELECT id, username FROM users")).all() == [(1, "ann")]
        # The read's transaction would hold PostgreSQL's lock on users against the upgrade.
        db.session.remove()

        upgrade(directory=migrations_folder(), revision="0018_avatars")
        rows = db.session.execute(text("SELECT id, avatar_key FROM users")).all()
        assert rows == [(1, None)]  # everyone starts on their initials again
        db.session.remove()


def test_the_passkeys_migration_upgrades_downgrades_and_upgrades_again(scratch_app: Flask) -> None:
    tables = {"passkeys", "passkey_challenges"}
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0019_passkeys")
        with db.engine.connect() as connection:
            assert tables <= set(inspect(connection).get_table_names())
        downgrade(directory=migrations_folder(), revision="0018_avatars")
        with db.engine.connect() as connection:
            assert not tables & set(inspect(connection).get_table_names())
        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


def test_the_jobs_migration_upgrades_downgrades_and_upgrades_again(scratch_app: Flask) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0021_jobs")
        with db.engine.connect() as connection:
            assert "jobs" in inspect(connection).get_table_names()
            indexes = {index["name"] for index in inspect(connection).get_indexes("jobs")}
            assert "ix_jobs_state_id" in indexes
        downgrade(directory=migrations_folder(), revision="0020_notice_preferences")
        with db.engine.connect() as connection:
            assert "jobs" not in inspect(connection).get_table_names()
        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


# -- PostgreSQL ---------------------------------------------------------------------------


#: A forum, a topic and its first post as migration 0002 knew them (the models may have
#: moved on since).
_ROWS_OF_0002 = [
    "INSERT INTO categories (id, title, description, position) VALUES (1, 'Old', '', 0)",
    "INSERT INTO forums (id, category_id, title, description, position, locked, topic_count,"
    " post_count) VALUES (1, 1, 'Archive', '', 0, false, 1, 1)",
    "INSERT INTO forum_groups (forum_id, group_id) SELECT 1, id FROM groups",
    "INSERT INTO topics (id, forum_id, author_name, title, created_at, locked, sticky, deleted,"
    " post_number_seq, post_count, views, last_post_at, last_poster_name) VALUES (1, 1, 'old',"
    " 'Archived walrus', now(), false, false, false, 1, 1, 0, now(), 'old')",
    "INSERT INTO posts (id, topic_id, number, author_name, content, html, renderer_version,"
    " created_at, deleted, hidden) VALUES (1, 1, 1, 'old', 'Written before the index', '', 1,"
    " now(), false, false)",
]


@postgresql_only("the search vectors are PostgreSQL's column, GIN index and triggers")
def test_search_migration_indexes_existing_posts_and_downgrades_cleanly(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0002_forum")
        with db.engine.begin() as connection:
            for statement in _ROWS_OF_0002:
                connection.execute(text(statement))
        upgrade(directory=migrations_folder())
        indexes = {index["name"] for index in inspect(db.engine).get_indexes("posts")}
        assert "ix_posts_search_vector" in indexes
        guest = db.session.scalar(select(Group).where(Group.key == GroupKey.GUEST))
        assert guest is not None
        results = SearchService(db.session).search(load_actor(None, "", guest), "walrus before")
        assert [hit.topic_title for hit in results.hits] == ["Archived walrus"]
        db.session.remove()
        downgrade(directory=migrations_folder(), revision="0002_forum")
        with db.engine.connect() as connection:
            left = connection.scalar(
                text("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%search%'")
            )
            functions = connection.scalar(
                text("SELECT count(*) FROM pg_proc WHERE proname LIKE '%search_vector'")
            )
        assert left == 0
        assert functions == 0
        assert "search_vector" not in {c["name"] for c in inspect(db.engine).get_columns("posts")}


@postgresql_only("EXPLAIN shows PostgreSQL's plan")
def test_search_uses_the_gin_index(app: Flask, world: World) -> None:
    """A search for rare words must read the GIN index, not every post's stored vector."""
    world.topic(title="Walrus facts", content="Tusks and whiskers")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO topics (forum_id, author_name, title, created_at, locked, sticky,"
                " deleted, post_number_seq, post_count, views, last_post_at, last_poster_name)"
                " SELECT :forum, 'bulk', 'Topic ' || n, now(), false, false, false, 1, 1, 0,"
                " now(), 'bulk' FROM generate_series(1, 3000) AS n"
            ),
            {"forum": world.forum_a},
        )
        connection.execute(
            text(
                "INSERT INTO posts (topic_id, number, author_name, content, html,"
                " renderer_version, created_at, deleted, hidden)"
                " SELECT id, 1, 'bulk', 'Post about ' || id, '', 1, now(), false, false"
                " FROM topics WHERE author_name = 'bulk'"
            )
        )
        # What autovacuum does on a live forum: new entries wait in the GIN index's pending
        # list, which the planner counts as pages to read on every search.
        connection.execute(text("SELECT gin_clean_pending_list('ix_posts_search_vector')"))
        connection.execute(text("ANALYZE topics"))
        connection.execute(text("ANALYZE posts"))
        matches = matcher_for("postgresql")(True, False)
        compiled = (
            select(matches.c.post_id)
            .params(SearchQuery.parse("walrus tusks").parameters)
            .compile(connection, compile_kwargs={"literal_binds": True})
        )
        plan = "\n".join(connection.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_posts_search_vector" in plan, plan


@postgresql_only("timestamptz is PostgreSQL's time zone aware type")
def test_times_are_stored_with_their_time_zone(app: Flask, world: World) -> None:
    world.topic()
    with app.app_context():
        columns = db.session.execute(
            text(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND data_type LIKE 'timestamp%'"
            )
        ).all()
        created = db.session.scalar(text("SELECT created_at FROM posts LIMIT 1"))
    assert columns
    assert {data_type for _, _, data_type in columns} == {"timestamp with time zone"}, columns
    assert created is not None and created.utcoffset() is not None


def test_the_ban_migration_ends_bans_that_a_group_change_left_behind(
    scratch_app: Flask,
) -> None:
    script = ScriptDirectory(migrations_folder())
    before = script.get_revision("0013_ban_restore_group").down_revision
    assert isinstance(before, str)
    insert = text(
        "INSERT INTO users (username, username_key, email, email_key, password_hash,"
        " activated, group_id, language, date_joined, login_attempts, post_count,"
        " banned_until) VALUES (:name, :name, :email, :email, 'x', :yes, :group, 'en',"
        " :now, 0, 0, :until)"
    )
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision=before)
        until = utcnow().replace(year=2999)
        for name, group in (("moved", 3), ("banned", 5)):
            db.session.execute(
                insert,
                {
                    "name": name,
                    "email": f"{name}@example.org",
                    "yes": True,
                    "group": group,
                    "now": utcnow(),
                    "until": until,
                },
            )
        db.session.commit()
        upgrade(directory=migrations_folder(), revision="0013_ban_restore_group")
        rows = db.session.execute(
            text("SELECT username, banned_until IS NULL FROM users ORDER BY username")
        ).all()
    assert [tuple(row) for row in rows] == [("banned", False), ("moved", True)]


def test_the_notice_preferences_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0019_passkeys")
        db.session.execute(_INSERT_MEMBER, {"yes": True})
        db.session.commit()

        upgrade(directory=migrations_folder(), revision="0020_notice_preferences")
        # Members from before get the new sign-in notice: it is opt-out.
        assert db.session.execute(text("SELECT id, notify_new_sign_in FROM users")).all() == [
            (1, True)
        ]
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="0019_passkeys")
        assert "notify_new_sign_in" not in _user_columns()
        assert db.session.execute(text("SELECT id, username FROM users")).all() == [(1, "ann")]
        db.session.remove()

        upgrade(directory=migrations_folder())
        assert "notify_new_sign_in" in _user_columns()
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


_MODERATION_BEFORE, _MODERATION = "0021_jobs", "0022_moderation"


def _columns(table: str) -> set[str]:
    with db.engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns(table)}


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_the_moderation_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision=_MODERATION_BEFORE)
        db.session.execute(_INSERT_MEMBER, {"yes": True})
        for statement in (
            "INSERT INTO categories (id, title, description, position) VALUES (1, 'C', '', 0)",
            "INSERT INTO forums (id, category_id, title, description, position, locked,"
            " topic_count, post_count) VALUES (1, 1, 'F', '', 0, false, 1, 1)",
            "INSERT INTO topics (id, forum_id, author_name, title, created_at, locked, sticky,"
            " deleted, post_number_seq, post_count, views, last_post_at, last_poster_name)"
            " VALUES (1, 1, 'ann', 'Old topic', CURRENT_TIMESTAMP, false, false, true, 1, 1, 0,"
            " CURRENT_TIMESTAMP, 'ann')",
            "INSERT INTO posts (id, topic_id, number, author_name, content, html,"
            " renderer_version, created_at, deleted, hidden) VALUES (1, 1, 1, 'ann', 'walrus',"
            " '<p>walrus</p>', 1, CURRENT_TIMESTAMP, false, false)",
            "INSERT INTO reports (id, post_id, reporter_id, reason, created_at, handled_at,"
            " handled_by_id, note) VALUES (1, 1, 1, 'spam', CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 1, 'looked at it')",
        ):
            db.session.execute(text(statement))
        db.session.commit()

        upgrade(directory=migrations_folder(), revision=_MODERATION)
        # Reports handled before keep their note, with no recorded resolution; topics
        # deleted before have no "deleted by" to show.
        assert db.session.execute(text("SELECT note, resolution FROM reports")).all() == [
            ("looked at it", "")
        ]
        assert [
            (bool(deleted), at, by)
            for deleted, at, by in db.session.execute(
                text("SELECT deleted, deleted_at, deleted_by FROM topics")
            )
        ] == [(True, None, None)]
        db.session.execute(
            text(
                "INSERT INTO member_warnings (user_id, moderator_name, reason, report_id,"
                " created_at) VALUES (1, 'mod', 'be nice', 1, CURRENT_TIMESTAMP)"
            )
        )
        db.session.execute(text("UPDATE posts SET deleted_by = 'mod'"))
        db.session.commit()
        db.session.remove()

        downgrade(directory=migrations_folder(), revision=_MODERATION_BEFORE)
        assert "member_warnings" not in _tables()
        assert not {"deleted_at", "deleted_by"} & (_columns("topics") | _columns("posts"))
        assert "resolution" not in _columns("reports")
        assert db.session.execute(text("SELECT id, note FROM reports")).all() == [
            (1, "looked at it")
        ]
        assert db.session.execute(text("SELECT id, content FROM posts")).all() == [(1, "walrus")]
        db.session.remove()

        upgrade(directory=migrations_folder())
        assert {"deleted_at", "deleted_by"} <= _columns("posts")
        assert "member_warnings" in _tables()
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
            if connection.dialect.name != "sqlite":
                return
            # SQLite's full-text triggers survived: the columns were added and dropped in
            # place, not by rebuilding the tables.
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert {"posts_fts_after_insert", "topics_fts_after_update"} <= set(triggers)


def _index_names(table: str) -> set[str]:
    with db.engine.connect() as connection:
        return {index["name"] for index in inspect(connection).get_indexes(table)}


def test_the_reading_migration_upgrades_downgrades_and_upgrades_again(scratch_app: Flask) -> None:
    reading_indexes = {"ix_users_last_seen", "ix_users_post_count"}
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0022_moderation")
        db.session.execute(_INSERT_MEMBER, {"yes": True})
        db.session.commit()

        upgrade(directory=migrations_folder(), revision="0023_reading")
        assert "last_visit_at" in _user_columns()
        assert reading_indexes <= _index_names("users")
        assert "ix_topics_created_at" in _index_names("topics")
        db.session.execute(text("UPDATE users SET last_visit_at = CURRENT_TIMESTAMP"))
        db.session.commit()
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="0022_moderation")
        assert "last_visit_at" not in _user_columns()
        assert not reading_indexes & _index_names("users")
        assert "ix_topics_created_at" not in _index_names("topics")


@skip_on_postgresql("WAL and foreign keys are SQLite pragmas")
def test_the_look_migration_upgrades_downgrades_and_upgrades_again(scratch_app: Flask) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0024_messages")
        db.session.execute(_INSERT_MEMBER, {"yes": True})
        db.session.commit()

        upgrade(directory=migrations_folder(), revision="0025_look")
        # Members from before follow their system's light or dark setting.
        assert db.session.execute(text("SELECT id, theme FROM users")).all() == [(1, "auto")]
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="0024_messages")
        assert "theme" not in _user_columns()
        assert db.session.execute(text("SELECT id, username FROM users")).all() == [(1, "ann")]
        db.session.remove()

        upgrade(directory=migrations_folder())
        assert "last_visit_at" in _user_columns()
        assert "theme" in _user_columns()
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


def test_the_plugins_migration_creates_and_drops_its_tables(scratch_app: Flask) -> None:
    tables = {"plugin_states", "plugin_settings", "extensions_state"}
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0026_plugins")
        assert tables <= set(inspect(db.engine).get_table_names())
        downgrade(directory=migrations_folder(), revision="-1")
        assert not tables & set(inspect(db.engine).get_table_names())
        upgrade(directory=migrations_folder(), revision="0026_plugins")
        assert tables <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT id, revision FROM extensions_state"
            ).all() == [(1, 0)]
        db.engine.dispose()


def test_the_notifications_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,
) -> None:
    tables = {
        "notifications",
        "topic_watches",
        "forum_watches",
        "notification_email_choices",
        "watch_preferences",
    }
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0027_notifications")
        with db.engine.connect() as connection:
            assert tables <= set(inspect(connection).get_table_names())
        downgrade(directory=migrations_folder(), revision="0026_plugins")
        with db.engine.connect() as connection:
            assert not tables & set(inspect(connection).get_table_names())
        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


def _job_columns() -> set[str]:
    return _column_names("jobs")


def test_the_job_leases_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,
) -> None:
    lease_columns = {"claims", "lease_expires_at", "lease_lost_at"}
    lease_indexes = {"ix_jobs_lease_lost_at"}
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0028_search_first_posts")
        # A job a worker was running when the site was upgraded.
        db.session.execute(
            text(
                "INSERT INTO jobs (id, kind, payload, state, attempts, created_at, ran_at)"
                " VALUES (1, 'mail.send', '{}', 'running', 1, :now, :now)"
            ),
            {"now": utcnow()},
        )
        db.session.commit()

        upgrade(directory=migrations_folder(), revision="0029_job_leases")
        assert lease_columns <= _job_columns()
        assert lease_indexes <= _index_names("jobs")
        # It holds no lease: it is taken back one lease after it started.
        row = "SELECT id, state, claims, lease_expires_at, lease_lost_at FROM jobs"
        assert db.session.execute(text(row)).all() == [(1, "running", 0, None, None)]
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="0028_search_first_posts")
        assert not lease_columns & _job_columns()
        assert not lease_indexes & _index_names("jobs")
        assert db.session.execute(text("SELECT id, state FROM jobs")).all() == [(1, "running")]
        db.session.remove()

        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []


def test_the_jobs_queued_at_migration_upgrades_downgrades_and_upgrades_again(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        upgrade(directory=migrations_folder(), revision="0029_job_leases")
        # A job handed to the broker an hour before the upgrade, which the broker lost.
        db.session.execute(
            text(
                "INSERT INTO jobs (id, kind, payload, state, attempts, created_at)"
                " VALUES (1, 'mail.send', '{}', 'queued', 0, :then)"
            ),
            {"then": utcnow() - timedelta(hours=1)},
        )
        db.session.commit()

        upgrade(directory=migrations_folder(), revision="0030_jobs_queued_at")
        assert "queued_at" in _job_columns()
        # It has no time of its own: it counts from its creation, and is found as lost.
        store = SqlJobStore(db.session)
        assert store.unclaimed(utcnow() - timedelta(minutes=15), 10) == [1]
        db.session.remove()

        downgrade(directory=migrations_folder(), revision="0029_job_leases")
        assert "queued_at" not in _job_columns()
        assert db.session.execute(text("SELECT id, state FROM jobs")).all() == [(1, "queued")]
        db.session.remove()

        upgrade(directory=migrations_folder())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []

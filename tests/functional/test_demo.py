"""``forumapp demo``: a realistic forum whose every counter is exactly right."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import func, select

from forumapp import create_app
from forumapp.auth.factories import password_hasher
from forumapp.cli import cli
from forumapp.demo.builder import DEMO_PASSWORD, SCALES, DemoBuilder
from forumapp.extensions import db
from forumapp.forum.counters import Counters
from forumapp.forum.models import Forum, Post, Topic
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import User
from tests.conftest import FAST_HASHING, PASSWORD, AuthActions, base_config, skip_on_postgresql

TINY = SCALES["tiny"]
STAFF_GROUPS = {GroupKey.ADMIN, GroupKey.SUPER_MOD, GroupKey.MOD}
#: The demo command's runs below write and read a SQLite file of their own; on PostgreSQL
#: the builder is tested through the app fixture (the small-scale recount test).
DEMO_FILE = skip_on_postgresql("the demo runs here write and read their own SQLite file")


def invoke(*args: str) -> Result:
    """Run ``forumapp ARGS`` in this process, with the environment as it is now."""
    return CliRunner().invoke(cli, list(args), prog_name="forumapp")


@contextlib.contextmanager
def forumapp_env(folder: Path) -> Iterator[Path]:
    """Point ``forumapp`` at a database in ``folder`` (and nothing else) while inside."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "forumapp.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("FORUMAPP_"):
                patch.delenv(name)
        patch.chdir(folder)
        patch.setenv("FORUMAPP_SQLALCHEMY_DATABASE_URI", f"sqlite:///{database}")
        patch.setenv("FORUMAPP_SECRET_KEY", "demo-test-secret")
        patch.setenv("FORUMAPP_INSTANCE_PATH", str(folder / "instance"))
        for key, value in FAST_HASHING.items():
            patch.setenv(f"FORUMAPP_{key}", str(value))
        yield database


def run_demo(folder: Path, *extra: str) -> tuple[Path, Result]:
    """``forumapp demo --scale tiny`` into a database in ``folder``."""
    with forumapp_env(folder) as database:
        result = invoke("demo", "--scale", "tiny", *extra)
    return database, result


def query(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows straight from the SQLite file."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(sql, params).fetchall()


@dataclass(frozen=True)
class Demo:
    """The database one tiny demo run wrote, and what the command printed."""

    database: Path
    output: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """One tiny demo forum, shared by the read-only tests of this module."""
    database, result = run_demo(tmp_path_factory.mktemp("demo"))
    assert result.exit_code == 0, result.output
    return Demo(database, result.output)


@pytest.fixture
def demo_app(demo: Demo) -> Iterator[Flask]:
    """The app over the demo database."""
    app = create_app(base_config(demo.database))
    yield app
    with app.app_context():
        db.engine.dispose()


def long_topic(database: Path) -> tuple[int, int]:
    """The id and post count of the longest topic."""
    ((topic_id, posts),) = query(
        database, "SELECT id, post_number_seq FROM topics ORDER BY post_number_seq DESC LIMIT 1"
    )
    return topic_id, posts


def staff_forum(database: Path) -> int:
    """The forum members do not see."""
    ((forum_id,),) = query(database, "SELECT id FROM forums WHERE title = 'Staff room'")
    return int(forum_id)


@DEMO_FILE
def test_demo_writes_the_promised_forum(demo: Demo) -> None:
    database = demo.database
    assert query(database, "SELECT count(*) FROM categories") == [(4,)]
    assert query(database, "SELECT count(*) FROM forums") == [(11,)]
    assert query(database, "SELECT count(*) FROM topics") == [(TINY.topics,)]
    assert query(database, "SELECT count(*) FROM posts") == [(TINY.posts,)]
    assert query(database, "SELECT count(*) FROM forums WHERE locked") == [(1,)]
    assert long_topic(database)[1] == TINY.long_topic_posts
    ((sticky, locked, deleted_topics),) = query(
        database, "SELECT sum(sticky), sum(locked), sum(deleted) FROM topics"
    )
    assert sticky >= 11  # every forum opens with a pinned welcome topic
    assert locked >= 1
    assert deleted_topics == TINY.deleted_topics
    ((deleted, hidden),) = query(database, "SELECT sum(deleted), sum(hidden) FROM posts")
    assert (deleted, hidden) == (TINY.deleted_posts, TINY.hidden_posts)
    assert query(database, "SELECT count(*) FROM reports WHERE handled_at IS NULL") == [
        (TINY.open_reports,)
    ]
    html = query(database, "SELECT html FROM posts WHERE content LIKE '%- %' LIMIT 1")
    assert "<li>" in html[0][0]


@DEMO_FILE
def test_every_built_in_group_but_guest_has_accounts_with_the_printed_password(
    demo: Demo,
) -> None:
    rows = query(
        demo.database,
        "SELECT g.key, count(*) FROM users AS u JOIN groups AS g ON g.id = u.group_id"
        " GROUP BY g.key",
    )
    counts = dict(rows)
    assert counts[GroupKey.MEMBER] == TINY.members
    assert counts[GroupKey.MOD] == 2
    assert {GroupKey.ADMIN, GroupKey.SUPER_MOD, GroupKey.BANNED} <= counts.keys()
    assert GroupKey.GUEST not in counts
    assert f'"{DEMO_PASSWORD}"' in demo.output
    assert re.search(r"administrator\s+demo_admin\b", demo.output)


@DEMO_FILE
def test_forum_moderators_are_appointed(demo: Demo) -> None:
    rows = query(
        demo.database,
        "SELECT u.username, f.title FROM forum_moderators AS m"
        " JOIN users AS u ON u.id = m.user_id JOIN forums AS f ON f.id = m.forum_id",
    )
    assert {username for username, _ in rows} == {"mod_greta", "mod_hugo"}
    assert len(rows) == 4


@DEMO_FILE
def test_post_numbers_run_from_one_without_gaps(demo: Demo) -> None:
    bad = query(
        demo.database,
        "SELECT t.id FROM topics AS t JOIN posts AS p ON p.topic_id = t.id GROUP BY t.id"
        " HAVING min(p.number) != 1 OR max(p.number) != count(*)"
        " OR t.post_number_seq != count(*)",
    )
    assert bad == []


def topic_counters(topic: Topic) -> tuple[Any, ...]:
    return (topic.post_count, topic.last_post_id, topic.last_post_at, topic.last_poster_name)


def forum_counters(forum: Forum) -> tuple[Any, ...]:
    return (
        forum.topic_count,
        forum.post_count,
        forum.last_topic_id,
        forum.last_topic_title,
        forum.last_post_id,
        forum.last_post_at,
        forum.last_poster_name,
    )


def assert_counters_survive_a_recount() -> None:
    """Recount every topic, forum and member; nothing may change. Rolls back."""
    session, counters = db.session, Counters(db.session)
    topics = session.scalars(select(Topic)).all()
    stored_topics = {topic.id: topic_counters(topic) for topic in topics}
    forums = session.scalars(select(Forum)).all()
    stored_forums = {forum.id: forum_counters(forum) for forum in forums}
    stored_users = dict(session.execute(select(User.id, User.post_count)).all())

    for topic in topics:
        counters.recount_topic(topic)
    for forum in forums:
        counters.recount_forum(forum)
    counters.recount_users(set(stored_users))

    assert {topic.id: topic_counters(topic) for topic in topics} == stored_topics
    assert {forum.id: forum_counters(forum) for forum in forums} == stored_forums
    assert dict(session.execute(select(User.id, User.post_count)).all()) == stored_users
    assert sum(stored_users.values()) == session.scalar(select(func.sum(Forum.post_count)))
    session.rollback()


@DEMO_FILE
def test_counters_are_what_a_recount_computes(demo_app: Flask) -> None:
    with demo_app.app_context():
        assert_counters_survive_a_recount()


def test_the_small_scale_counters_are_what_a_recount_computes(app: Flask) -> None:
    small = SCALES["small"]
    with app.app_context():
        builder = DemoBuilder(db.session, password_hasher(), utcnow)
        summary = builder.build(small, seed=3)

        assert (summary.topics, summary.posts) == (small.topics, small.posts)
        assert db.session.scalar(select(func.count()).select_from(Post)) == small.posts
        long_topic = db.session.get(Topic, summary.long_topic_id)
        assert long_topic is not None
        assert long_topic.post_number_seq == small.long_topic_posts
        assert_counters_survive_a_recount()


@DEMO_FILE
def test_the_staff_room_is_visible_to_staff_groups_only(demo: Demo, demo_app: Flask) -> None:
    forum_id = staff_forum(demo.database)
    groups = query(
        demo.database,
        "SELECT g.key FROM forum_groups AS fg JOIN groups AS g ON g.id = fg.group_id"
        " WHERE fg.forum_id = ?",
        forum_id,
    )
    assert {key for (key,) in groups} == STAFF_GROUPS

    client = demo_app.test_client()
    assert client.get(f"/forum/{forum_id}").status_code == 404
    assert "Staff room" not in client.get("/").get_data(as_text=True)

    AuthActions(client).login("demo_admin", DEMO_PASSWORD)
    assert client.get(f"/forum/{forum_id}").status_code == 200
    assert "Staff room" in client.get("/").get_data(as_text=True)


@DEMO_FILE
def test_the_index_and_the_long_topic_s_first_and_last_pages_render(
    demo: Demo, demo_app: Flask
) -> None:
    topic_id, posts = long_topic(demo.database)
    per_page = demo_app.config["POSTS_PER_PAGE"]
    last_page = -(-posts // per_page)
    client = demo_app.test_client()

    index = client.get("/")
    first = client.get(f"/topic/{topic_id}")
    last = client.get(f"/topic/{topic_id}?page={last_page}")

    assert index.status_code == 200
    assert "Off-topic" in index.get_data(as_text=True)
    assert first.status_code == 200
    assert "#1<" in first.get_data(as_text=True)
    assert last.status_code == 200
    assert f"#{posts}<" in last.get_data(as_text=True)


@DEMO_FILE
def test_a_second_run_refuses_and_changes_nothing(tmp_path: Path) -> None:
    database, first = run_demo(tmp_path)
    assert first.exit_code == 0, first.output
    counts = "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM posts)"
    before = query(database, counts)

    _, second = run_demo(tmp_path)

    assert second.exit_code == 1
    assert "already has forum content" in second.output
    assert "Nothing was changed" in second.output
    assert query(database, counts) == before


@DEMO_FILE
def test_the_same_seed_writes_the_same_forum(tmp_path: Path) -> None:
    content = "SELECT t.title, p.number, p.author_name, p.content FROM posts AS p"
    content += " JOIN topics AS t ON t.id = p.topic_id ORDER BY p.id"
    one, result_one = run_demo(tmp_path / "one", "--seed", "5")
    two, result_two = run_demo(tmp_path / "two", "--seed", "5")
    other, result_other = run_demo(tmp_path / "other", "--seed", "6")

    assert result_one.exit_code == result_two.exit_code == result_other.exit_code == 0
    assert query(one, content) == query(two, content)
    assert query(one, content) != query(other, content)


@DEMO_FILE
def test_demo_accounts_make_way_for_existing_ones(tmp_path: Path) -> None:
    with forumapp_env(tmp_path) as database:
        created = invoke(
            "create-admin", "--username", "demo_admin", "--email", "me@example.org",
            "--password", PASSWORD,
        )  # fmt: skip
        assert created.exit_code == 0, created.output
        result = invoke("demo", "--scale", "tiny")

    assert result.exit_code == 0, result.output
    assert re.search(r"administrator\s+demo_admin2\b", result.output)
    admins = query(
        database,
        "SELECT u.username FROM users AS u JOIN groups AS g ON g.id = u.group_id"
        " WHERE g.key = 'admin' ORDER BY u.id",
    )
    assert admins == [("demo_admin",), ("demo_admin2",)]

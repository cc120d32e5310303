"""Filtered search at scale: the index of first posts, date ranges that narrow the index's
walk, their exactness through every write, and the plans that keep them cheap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, event, inspect, text
from sqlalchemy.engine import URL

from forumapp import create_app
from forumapp.extensions import db
from forumapp.forum import search as search_module
from forumapp.forum.models import Forum
from forumapp.forum.moderation import PostAction, TopicAction
from forumapp.forum.search import SearchService
from forumapp.forum.structure import ForumStructure
from forumapp.resources import migrations_folder
from tests.conftest import base_config, postgresql_only, skip_on_postgresql
from tests.forum_world import World
from tests.functional.test_search import (
    delete_post,
    edit,
    first_post,
    hits,
    index_matches_the_posts,
    moderate_post,
    moderate_topic,
    queries_for,
    search,
)
from tests.functional.test_search_results import written_at
from tests.production.backends import ON_POSTGRESQL

TOPICS_ONLY = {"topics_only": "y"}
_BEFORE = "0027_notifications"


def first_posts_index_is_exact(app: Flask) -> None:
    """FTS5 compares the index of first posts with the rows it indexes."""
    if ON_POSTGRESQL:
        return  # A partial index: PostgreSQL keeps it itself.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO first_posts_fts(first_posts_fts, rank) VALUES ('integrity-check', 1)")
        )


@pytest.fixture
def narrowing_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every date range counts as wide: the index is walked without the range's ids."""
    monkeypatch.setattr(search_module, "NARROW_RANGE_POSTS", 0)
    search_module._ranked_statements.cache_clear()
    yield
    search_module._ranked_statements.cache_clear()


def test_topics_only_finds_first_posts_only(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="Walrus facts", content="Tusks")
    reply = world.reply(topic, content="a walrus reply")
    only_replies = world.topic(title="Seals", content="Whiskers")
    world.reply(only_replies, content="walrus again")
    assert hits(search(client, "walrus", **TOPICS_ONLY)) == [first_post(world.app, topic)]
    assert reply in hits(search(client, "walrus"))
    # Title and body of the first post together, as in a search of everything.
    assert hits(search(client, "walrus tusks", **TOPICS_ONLY)) == [first_post(world.app, topic)]
    assert hits(search(client, "whiskers walrus", **TOPICS_ONLY)) == []
    first_posts_index_is_exact(world.app)


def test_topics_only_follows_edits_of_the_first_post_and_its_title(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic(title="Plain title", content="ordinary words")
    opening = first_post(world.app, topic)
    edit(world, "member", opening, "a narwhal now", title="Tusked title")
    assert hits(search(client, "narwhal", **TOPICS_ONLY)) == [opening]
    assert hits(search(client, "tusked", **TOPICS_ONLY)) == [opening]
    assert hits(search(client, "ordinary", **TOPICS_ONLY)) == []
    assert hits(search(client, "plain", **TOPICS_ONLY)) == []
    first_posts_index_is_exact(world.app)


def test_topics_only_follows_a_moved_topic(client: FlaskClient, world: World) -> None:
    topic = world.topic(forum=world.forum_a, title="Migrating walrus", content="north")
    opening = first_post(world.app, topic)
    moderate_topic(world, world.forum_a, topic, TopicAction.MOVE, world.forum_b)
    assert hits(search(client, "walrus", forum=world.forum_b, **TOPICS_ONLY)) == [opening]
    assert hits(search(client, "walrus", forum=world.forum_a, **TOPICS_ONLY)) == []
    first_posts_index_is_exact(world.app)


def test_topics_only_drops_a_deleted_first_post_and_brings_it_back(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic(title="Walrus rules", content="be kind")
    opening = first_post(world.app, topic)
    # Deleting the first post deletes the topic; restoring the topic brings it back.
    delete_post(world, "admin", opening)
    assert hits(search(client, "walrus", **TOPICS_ONLY)) == []
    moderate_topic(world, world.forum_a, topic, TopicAction.RESTORE)
    assert hits(search(client, "walrus", **TOPICS_ONLY)) == [opening]
    # Hidden by a moderator, it is gone from topics only as from everything.
    moderate_post(world, opening, PostAction.HIDE)
    assert hits(search(client, "walrus", **TOPICS_ONLY)) == []
    first_posts_index_is_exact(world.app)


def test_the_first_posts_index_stays_exact_through_every_kind_of_write(
    app: Flask, world: World
) -> None:
    topic = world.topic(title="Alpha title", content="alpha body")
    reply = world.reply(topic, content="beta reply")
    edit(world, "member", first_post(app, topic), "gamma body", title="Delta title")
    edit(world, "member", reply, "epsilon reply")
    delete_post(world, "member", reply)
    other = world.topic(forum=world.forum_b, title="Zeta", content="eta")
    moderate_topic(world, world.forum_b, other, TopicAction.MOVE, world.forum_a)
    first_posts_index_is_exact(app)
    index_matches_the_posts(app)
    # Hard deletes cascade from forums to topics to posts.
    with app.app_context():
        db.session.execute(delete(Forum).where(Forum.id.in_([world.forum_a, world.forum_b])))
        db.session.commit()
        if not ON_POSTGRESQL:
            remaining = db.session.scalar(
                text("SELECT count(*) FROM first_posts_fts WHERE first_posts_fts MATCH 'delta'")
            )
            assert remaining == 0
    first_posts_index_is_exact(app)


def _posts_out_of_date_order(world: World) -> dict[str, int]:
    """Posts whose ids do not follow their dates (as imported or demo posts may be)."""
    app = world.app
    topic = world.topic(content="walrus one")
    posts = {"june": first_post(app, topic)}
    posts["march"] = world.reply(topic, content="walrus two")
    posts["may_night"] = world.reply(topic, content="walrus three")
    posts["april"] = world.reply(topic, content="walrus four")
    for name, moment in {
        "june": datetime(2024, 6, 15, 12, tzinfo=UTC),
        "march": datetime(2024, 3, 15, 12, tzinfo=UTC),
        # 23:30 on 31 May in UTC is 08:30 on 1 June in Tokyo.
        "may_night": datetime(2024, 5, 31, 23, 30, tzinfo=UTC),
        "april": datetime(2024, 4, 15, 12, tzinfo=UTC),
    }.items():
        written_at(app, posts[name], moment)
    return posts


_RANGES: list[tuple[dict[str, str], list[str]]] = [
    ({"date_to": "2024-03-31"}, ["march"]),
    ({"date_from": "2024-04-01", "date_to": "2024-04-30"}, ["april"]),
    ({"date_from": "2024-04-15", "date_to": "2024-05-31"}, ["may_night", "april"]),
    ({"date_from": "2024-05-01"}, ["may_night", "june"]),
    ({"date_from": "2024-03-15", "date_to": "2024-06-15"}, ["march", "may_night", "april", "june"]),
    ({"date_from": "2024-06-16"}, []),
    ({"date_to": "2024-03-14"}, []),
]


@pytest.mark.parametrize(("dates", "expected"), _RANGES)
def test_date_ranges_are_exact_when_ids_do_not_follow_dates(
    client: FlaskClient, world: World, dates: dict[str, str], expected: list[str]
) -> None:
    posts = _posts_out_of_date_order(world)
    found = hits(search(client, "walrus", sort="date", **dates))
    assert sorted(found) == sorted(posts[name] for name in expected)


@pytest.mark.parametrize(("dates", "expected"), _RANGES)
def test_wide_date_ranges_find_the_same_posts_as_narrow_ones(
    client: FlaskClient,
    world: World,
    narrowing_off: None,
    dates: dict[str, str],
    expected: list[str],
) -> None:
    posts = _posts_out_of_date_order(world)
    found = hits(search(client, "walrus", sort="date", **dates))
    assert sorted(found) == sorted(posts[name] for name in expected)


@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("dates", [{"date_to": "2024-04-30"}, {"date_from": "2024-01-01"}])
def test_a_date_range_with_more_matches_than_are_ranked_ranks_its_newest(
    app: Flask, client: FlaskClient, world: World, sort: str, dates: dict[str, str]
) -> None:
    app.config["SEARCH_RANKED_MATCHES"] = 3
    app.config["SEARCH_RESULTS_PER_PAGE"] = 2
    topic = world.topic(content="walrus 0")
    posts = [first_post(app, topic)] + [
        world.reply(topic, content=f"walrus {n}") for n in range(1, 6)
    ]
    # One post a week from 1 April; the last one, on 6 May, is past the first range's end.
    for week, post in enumerate(posts):
        written_at(app, post, datetime(2024, 4, 1, 12, tzinfo=UTC) + timedelta(weeks=week))
    in_range = posts[:5] if "date_to" in dates else posts
    newest = in_range[:-4:-1]

    first = search(client, "walrus", sort=sort, **dates)
    second = search(client, "walrus", sort=sort, page=2, **dates)

    assert "3+ results for “walrus”" in first
    assert "More posts match than the newest 3" in first
    found = hits(first) + hits(second)
    assert sorted(found) == sorted(newest)
    if sort == "date":
        assert found == newest
    # There is no third page: the extra match only said that there are more.
    assert hits(search(client, "walrus", sort=sort, page=3, **dates)) == hits(second)


def test_date_ranges_include_both_days_in_the_readers_zone(
    app: Flask, client: FlaskClient, world: World
) -> None:
    posts = _posts_out_of_date_order(world)
    assert hits(search(client, "walrus", date_from="2024-05-31", date_to="2024-05-31")) == [
        posts["may_night"]
    ]
    app.config["DEFAULT_TIMEZONE"] = "Asia/Tokyo"
    assert hits(search(client, "walrus", date_from="2024-05-31", date_to="2024-05-31")) == []
    # The first and last day both count: 1 June in Tokyo holds the May night.
    found = hits(search(client, "walrus", date_from="2024-06-01", date_to="2024-06-15"))
    assert sorted(found) == sorted([posts["may_night"], posts["june"]])


def test_topics_only_and_dates_together(client: FlaskClient, world: World) -> None:
    posts = _posts_out_of_date_order(world)
    assert hits(search(client, "walrus", date_from="2024-06-01", **TOPICS_ONLY)) == [posts["june"]]
    assert hits(search(client, "walrus", date_to="2024-05-31", **TOPICS_ONLY)) == []


@pytest.mark.parametrize(
    "filters",
    [TOPICS_ONLY, {"date_from": "2000-01-01", "date_to": "2990-12-31"}, {"date_to": "2990-01-01"}],
)
def test_filtered_searches_run_as_many_queries_as_a_plain_one(
    app: Flask, client: FlaskClient, world: World, filters: dict[str, str]
) -> None:
    world.topic(title="Walrus", content="walrus")
    plain = queries_for(app, client, "/search?q=walrus")
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    assert queries_for(app, client, f"/search?q=walrus&{query}") == plain


# -- plans: the indexes are used, whatever the timing ---------------------------------------


def _ranking_statement(
    app: Flask, client: FlaskClient, q: str = "walrus", **params: str
) -> tuple[str, Any]:
    """The statement that ranked the matches of a search, and its parameters."""
    captured: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        search(client, q, **params)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    ranking = [found for found in captured if "OVER ()" in found[0]]
    assert len(ranking) == 1, captured
    return ranking[0]


def _plan(app: Flask, client: FlaskClient, q: str = "walrus", **params: str) -> str:
    statement, parameters = _ranking_statement(app, client, q, **params)
    with app.app_context(), db.engine.connect() as connection:
        if ON_POSTGRESQL:
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            return "\n".join(str(row[0]) for row in rows)
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[3]) for row in rows)


@skip_on_postgresql("EXPLAIN QUERY PLAN shows SQLite's plan")
def test_topics_only_reads_the_index_of_first_posts(
    app: Flask, client: FlaskClient, world: World
) -> None:
    world.topic(title="Walrus", content="walrus")
    plan = _plan(app, client, **TOPICS_ONLY)
    assert "SCAN first_posts_fts VIRTUAL TABLE" in plan, plan
    assert "SCAN posts_fts " not in plan, plan


@skip_on_postgresql("EXPLAIN QUERY PLAN shows SQLite's plan")
@pytest.mark.parametrize(
    "dates",
    [{"date_from": "2024-01-01", "date_to": "2024-01-31"}, {"date_to": "2024-01-01"},
     {"date_from": "2024-01-01"}],
)  # fmt: skip
def test_a_date_range_bounds_the_walk_of_the_index(
    app: Flask, client: FlaskClient, world: World, dates: dict[str, str]
) -> None:
    world.topic(title="Walrus", content="walrus")
    plan = _plan(app, client, **dates)
    # FTS5's plan names its constraints: M for MATCH, > and < for the rowid's bounds.
    scan = next(line for line in plan.splitlines() if "SCAN posts_fts VIRTUAL TABLE" in line)
    assert scan.endswith("M2><"), plan
    # The bounds and the range's ids come from the created_at index, never a scan of posts.
    assert "USING COVERING INDEX ix_posts_created_at" in plan, plan
    assert "SCAN posts" not in plan.replace("SCAN posts_fts", ""), plan


@skip_on_postgresql("EXPLAIN QUERY PLAN shows SQLite's plan")
def test_an_author_and_dates_filter_the_walk_of_the_index_rather_than_drive_it(
    app: Flask, client: FlaskClient, world: World
) -> None:
    world.topic(title="Walrus", content="walrus")
    plan = _plan(app, client, author="alice", date_from="2024-01-01", date_to="2024-01-31")
    # Driven by the author's index, each of their posts was looked up in FTS5, and each
    # look-up of a scored search counts every match of the terms again (seconds at scale).
    first_loop = next(line for line in plan.splitlines() if line.startswith(("SCAN", "SEARCH")))
    assert first_loop.startswith("SCAN posts_fts VIRTUAL TABLE"), plan
    assert "ix_posts_user_created" not in plan, plan


def _bulk_first_posts(app: Flask, world: World) -> None:
    """15,000 topics of two posts, so that PostgreSQL's planner prefers indexes to scans
    (at 3,000 it hashed whole tables to join a few dozen rows)."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO topics (forum_id, author_name, title, created_at, locked, sticky,"
                " deleted, post_number_seq, post_count, views, last_post_at, last_poster_name)"
                " SELECT :forum, 'bulk', 'Topic ' || n, now(), false, false, false, 2, 2, 0,"
                " now(), 'bulk' FROM generate_series(1, 15000) AS n"
            ),
            {"forum": world.forum_a},
        )
        for number in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO posts (topic_id, number, author_name, content, html,"
                    " renderer_version, created_at, deleted, hidden)"
                    " SELECT id, :number, 'bulk', 'Post about ' || id, '', 1,"
                    " now() - (id || ' hours')::interval, false, false"
                    " FROM topics WHERE author_name = 'bulk'"
                ),
                {"number": number},
            )
        for index in ("ix_posts_search_vector", "ix_posts_search_vector_first"):
            connection.execute(text("SELECT gin_clean_pending_list(:index)"), {"index": index})
        connection.execute(text("ANALYZE topics"))
        connection.execute(text("ANALYZE posts"))


@postgresql_only("EXPLAIN shows PostgreSQL's plan")
def test_topics_only_reads_the_partial_index_of_first_posts(
    app: Flask, client: FlaskClient, world: World
) -> None:
    world.topic(title="Walrus", content="walrus")
    _bulk_first_posts(app, world)
    plan = _plan(app, client, **TOPICS_ONLY)
    assert "ix_posts_search_vector_first" in plan, plan


@postgresql_only("EXPLAIN shows PostgreSQL's plan")
def test_topics_only_never_walks_every_post_for_a_word_of_replies_alone(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _bulk_first_posts(app, world)
    with app.app_context(), db.engine.begin() as connection:
        # Every bulk reply says "echo"; no first post does.
        connection.execute(
            text(
                "UPDATE posts SET content = content || ' echo'"
                " WHERE author_name = 'bulk' AND number = 2"
            )
        )
        connection.execute(text("ANALYZE posts"))
    plan = _plan(app, client, "echo", **TOPICS_ONLY)
    assert "ix_posts_search_vector_first" in plan, plan
    # Walking the primary key newest first, hoping for first posts, read every post.
    assert "Index Scan Backward using pk_posts" not in plan, plan


@postgresql_only("EXPLAIN shows PostgreSQL's plan")
def test_a_narrow_date_range_of_a_common_word_is_read_from_the_created_at_index(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _bulk_first_posts(app, world)
    # Every bulk post says "post"; one day holds 48 of the 30,000.
    day = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    plan = _plan(app, client, "post", date_from=day, date_to=day)
    assert "ix_posts_created_at" in plan, plan
    assert "Seq Scan on posts" not in plan, plan


@postgresql_only("EXPLAIN shows PostgreSQL's plan")
def test_a_wide_range_that_ends_in_the_past_is_walked_back_from_its_end(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _bulk_first_posts(app, world)
    # Every bulk post says "post", two an hour over 15,000 hours; "To" the middle holds
    # half of them. Walking the primary key back to it would read the newer half first.
    middle = (datetime.now(UTC) - timedelta(hours=7500)).date().isoformat()
    plan = _plan(app, client, "post", date_to=middle)
    assert "Index Scan Backward using ix_posts_created_at" in plan, plan
    assert "posts_pkey" not in plan, plan


@postgresql_only("plan_cache_mode is PostgreSQL's setting")
def test_each_search_is_planned_with_its_own_values_and_the_setting_ends_with_it(
    app: Flask, world: World
) -> None:
    with app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
        SearchService(db.session).search(world.actor("member"), "walrus")
        # A prepared search statement's generic plan knows neither the words nor the dates.
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
        db.session.commit()
        # The pooled connection's next request plans as usual.
        assert db.session.connection().exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
        db.session.remove()


# -- the migration ------------------------------------------------------------------------


def _first_posts_index(app: Flask) -> bool:
    with app.app_context():
        if ON_POSTGRESQL:
            names = {index["name"] for index in inspect(db.engine).get_indexes("posts")}
            return "ix_posts_search_vector_first" in names
        return "first_posts_fts" in inspect(db.engine).get_table_names()


def test_the_first_posts_migration_upgrades_downgrades_and_upgrades_again(
    empty_database: Path | URL,
) -> None:
    app = create_app(base_config(empty_database))
    client = app.test_client()
    with app.app_context():
        upgrade(directory=migrations_folder(), revision=_BEFORE)
        structure = ForumStructure(db.session)
        forum = structure.create_forum(structure.create_category("Old").id, "Archive").id
        db.session.commit()
    # Written before the index: the migration fills it.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO topics (id, forum_id, author_name, title, created_at, locked,"
                " sticky, deleted, post_number_seq, post_count, views, last_post_at,"
                " last_poster_name) VALUES (9001, :forum, 'old', 'Archived walrus',"
                " CURRENT_TIMESTAMP, false, false, false, 2, 2, 0, CURRENT_TIMESTAMP, 'old')"
            ),
            {"forum": forum},
        )
        for number, content in ((1, "tusks"), (2, "walrus reply")):
            connection.execute(
                text(
                    "INSERT INTO posts (topic_id, number, author_name, content, html,"
                    " renderer_version, created_at, deleted, hidden) VALUES (9001, :number,"
                    " 'old', :content, '', 1, CURRENT_TIMESTAMP, false, false)"
                ),
                {"number": number, "content": content},
            )
    with app.app_context():
        upgrade(directory=migrations_folder())
    assert _first_posts_index(app)
    first_posts_index_is_exact(app)
    assert len(hits(search(client, "walrus", **TOPICS_ONLY))) == 1
    with app.app_context():
        db.session.remove()
        downgrade(directory=migrations_folder(), revision=_BEFORE)
    assert not _first_posts_index(app)
    if not ON_POSTGRESQL:
        with app.app_context():
            left = db.session.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'first_posts%'")
            )
            db.session.remove()
        assert left == 0
    with app.app_context():
        upgrade(directory=migrations_folder())
    assert _first_posts_index(app)
    first_posts_index_is_exact(app)
    assert len(hits(search(client, "walrus", **TOPICS_ONLY))) == 1
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

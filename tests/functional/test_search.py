"""Full-text search: what matches, what the searcher may see, hostile input, query counts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select, text

from forumapp import create_app
from forumapp.extensions import db
from forumapp.forum.actor import load_actor
from forumapp.forum.errors import InvalidInput
from forumapp.forum.models import Forum
from forumapp.forum.moderation import ModerationService, PostAction, TopicAction
from forumapp.forum.posting import PostingService
from forumapp.forum.search import SearchFilters, SearchService
from forumapp.forum.structure import ForumStructure
from forumapp.resources import migrations_folder
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group
from tests.conftest import AuthActions, base_config, skip_on_postgresql
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.functional.test_forum_query_counts import counted_queries
from tests.production.backends import ON_POSTGRESQL


def search(client: FlaskClient, q: str, **params: Any) -> str:
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def hits(page: str) -> list[int]:
    """The post ids the results link to, in order."""
    results = page.partition('class="search-results"')[2]
    return [int(post_id) for post_id in re.findall(r'href="/post/(\d+)"', results)]


def first_post(app: Flask, topic_id: int) -> int:
    with app.app_context():
        post_id = db.session.scalar(
            text("SELECT id FROM posts WHERE topic_id = :t AND number = 1"), {"t": topic_id}
        )
    assert isinstance(post_id, int)
    return post_id


def edit(world: World, role: str, post_id: int, content: str, title: str | None = None) -> None:
    with world.app.app_context():
        PostingService(db.session, utcnow).edit_post(world.actor(role), post_id, content, title)


def delete_post(world: World, role: str, post_id: int) -> None:
    with world.app.app_context():
        PostingService(db.session, utcnow).delete_post(world.actor(role), post_id)


def moderate_post(world: World, post_id: int, action: PostAction) -> None:
    with world.app.app_context():
        ModerationService(db.session, utcnow).act_on_post(world.actor("admin"), post_id, action)


def moderate_topic(
    world: World, forum_id: int, topic_id: int, action: TopicAction, target: int | None = None
) -> None:
    with world.app.app_context():
        ModerationService(db.session, utcnow).act_on_topics(
            world.actor("admin"), forum_id, [topic_id], action, target
        )


def index_matches_the_posts(app: Flask) -> None:
    """FTS5 compares its index with the rows it indexes; a stale entry fails here."""
    if ON_POSTGRESQL:
        return  # PostgreSQL keeps its GIN indexes itself: there is nothing to check.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)")
        )


def test_the_search_page_shows_an_empty_form_first(client: FlaskClient, world: World) -> None:
    page = client.get("/search").get_data(as_text=True)
    assert 'role="search"' in page
    for name in ("q", "forum", "author"):
        assert f'<label for="{name}"' in page
    assert "Forum A" in page
    assert "results for" not in page
    assert "No results" not in page


def test_titles_and_bodies_match(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="Descaling the kettle", content="Citric acid works well.")
    reply = world.reply(topic, content="Vinegar smells, but it is cheap.")
    opening = first_post(world.app, topic)
    assert hits(search(client, "kettle")) == [opening]
    assert hits(search(client, "CITRIC")) == [opening]
    assert hits(search(client, "vinegar")) == [reply]
    # Title and body together: the first post stands for its topic.
    assert hits(search(client, "kettle citric")) == [opening]
    assert hits(search(client, "kettle vinegar")) == []
    assert hits(search(client, '"acid works"')) == [opening]
    assert hits(search(client, '"works acid"')) == []
    page = search(client, "teapot")
    assert "No results for “teapot”" in page


def test_hits_show_topic_forum_author_and_a_snippet(client: FlaskClient, world: World) -> None:
    filler = " ".join(["padding"] * 80)
    topic = world.topic(title="Long read", content=f"Start **here**. {filler} The needle is here.")
    page = search(client, "needle")
    assert f'href="/post/{first_post(world.app, topic)}"' in page
    assert "Long read" in page
    assert "Forum A" in page
    assert "by alice" in page
    # Plain text around the match, not Markdown and not the start of the post.
    assert "padding The <mark>needle</mark> is here." in page
    assert "**here**" not in page
    assert "1 result for “needle”" in page


def test_results_filter_by_forum(client: FlaskClient, world: World) -> None:
    in_a = world.topic(forum=world.forum_a, title="Shared word", content="lighthouse")
    in_b = world.topic(forum=world.forum_b, title="Shared word", content="lighthouse")
    both = hits(search(client, "lighthouse"))
    assert sorted(both) == sorted(first_post(world.app, t) for t in (in_a, in_b))
    assert hits(search(client, "lighthouse", forum=world.forum_b)) == [first_post(world.app, in_b)]
    page = search(client, "lighthouse", forum=world.forum_b)
    assert f'<option value="{world.forum_b}" selected>' in page


def test_results_filter_by_author(client: FlaskClient, world: World) -> None:
    topic = world.topic("member", content="Marmalade recipe")
    by_bob = world.reply(topic, "member2", content="My marmalade is better")
    assert len(hits(search(client, "marmalade"))) == 2
    assert hits(search(client, "marmalade", author="BOB")) == [by_bob]
    nobody = search(client, "marmalade", author="nobody")
    assert hits(nobody) == []
    assert "No member has this username." in nobody


@pytest.mark.parametrize("role", ["guest", "member", "moderator"])
def test_hidden_forums_never_appear(
    client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    world.topic("admin", forum=world.hidden_forum, title="Staff secrets", content="payroll")
    if role != "guest":
        login_as(auth, world, role)
    assert hits(search(client, "payroll")) == []
    assert hits(search(client, "payroll", forum=world.hidden_forum)) == []
    assert "Staff room" not in search(client, "payroll")


def test_staff_find_posts_in_the_forums_they_see(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("admin", forum=world.hidden_forum, title="Staff secrets", content="payroll")
    login_as(auth, world, "admin")
    assert hits(search(client, "payroll")) == [first_post(world.app, topic)]
    assert "Staff room" in search(client, "payroll")


@pytest.mark.parametrize("role", ["guest", "member", "admin"])
def test_deleted_and_hidden_posts_and_deleted_topics_never_appear(
    client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    topic = world.topic(title="Open topic", content="visible albatross")
    deleted = world.reply(topic, content="deleted albatross")
    hidden = world.reply(topic, "member2", content="hidden albatross")
    gone = world.topic(title="Gone topic", content="albatross in a deleted topic")
    delete_post(world, "member", deleted)
    moderate_post(world, hidden, PostAction.HIDE)
    moderate_topic(world, world.forum_a, gone, TopicAction.DELETE)
    if role != "guest":
        login_as(auth, world, role)
    assert hits(search(client, "albatross")) == [first_post(world.app, topic)]


def test_restored_and_unhidden_posts_come_back(client: FlaskClient, world: World) -> None:
    topic = world.topic(content="pelican")
    reply = world.reply(topic, content="pelican again")
    moderate_post(world, reply, PostAction.HIDE)
    moderate_topic(world, world.forum_a, topic, TopicAction.DELETE)
    assert hits(search(client, "pelican")) == []
    moderate_post(world, reply, PostAction.UNHIDE)
    moderate_topic(world, world.forum_a, topic, TopicAction.RESTORE)
    assert len(hits(search(client, "pelican"))) == 2


def test_edits_are_reflected(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="Old title", content="The colour is turquoise")
    opening = first_post(world.app, topic)
    edit(world, "member", opening, "The colour is vermilion", title="Fresh headline")
    assert hits(search(client, "turquoise")) == []
    assert hits(search(client, "vermilion")) == [opening]
    assert hits(search(client, "old title")) == []
    assert hits(search(client, "fresh headline")) == [opening]
    index_matches_the_posts(world.app)


def test_moved_topics_are_found_in_their_new_forum(client: FlaskClient, world: World) -> None:
    topic = world.topic(forum=world.forum_a, content="wandering nomad")
    moderate_topic(world, world.forum_a, topic, TopicAction.MOVE, target=world.forum_b)
    assert hits(search(client, "nomad", forum=world.forum_a)) == []
    assert hits(search(client, "nomad", forum=world.forum_b)) == [first_post(world.app, topic)]
    moderate_topic(world, world.forum_b, topic, TopicAction.MOVE, target=world.hidden_forum)
    assert hits(search(client, "nomad")) == []


@skip_on_postgresql("about the FTS5 index and its triggers")
def test_the_index_stays_exact_through_every_kind_of_write(app: Flask, world: World) -> None:
    topic = world.topic(title="Alpha title", content="alpha body")
    reply = world.reply(topic, content="beta reply")
    edit(world, "member", first_post(app, topic), "gamma body", title="Delta title")
    edit(world, "member", reply, "epsilon reply")
    delete_post(world, "member", reply)
    other = world.topic(forum=world.forum_b, title="Zeta", content="eta")
    world.reply(other, content="theta")
    index_matches_the_posts(app)
    # Hard deletes cascade from forums to topics to posts.
    with app.app_context():
        db.session.execute(delete(Forum).where(Forum.id.in_([world.forum_a, world.forum_b])))
        db.session.commit()
        remaining = db.session.scalar(text("SELECT count(*) FROM posts_fts"))
    assert remaining == 0
    index_matches_the_posts(app)


def test_equally_good_hits_come_newest_first(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="Birds", content="Seen today:")
    older = world.reply(topic, content="a puffin")
    newer = world.reply(topic, content="a puffin")
    assert hits(search(client, "puffin")) == [newer, older]


def test_results_are_paginated(app: Flask, client: FlaskClient, world: World) -> None:
    app.config["SEARCH_RESULTS_PER_PAGE"] = 2
    topic = world.topic(content="walrus 0")
    for n in range(1, 5):
        world.reply(topic, content=f"walrus {n}")
    first = search(client, "walrus")
    assert "5 results for “walrus”" in first
    assert len(hits(first)) == 2
    assert 'href="/search?page=2&amp;q=walrus"' in first
    last = search(client, "walrus", page=3)
    assert len(hits(last)) == 1
    # Past the end: the last page.
    assert hits(search(client, "walrus", page=10**30)) == hits(last)


def test_only_the_newest_matches_are_ranked_and_the_page_says_so(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["SEARCH_RANKED_MATCHES"] = 3
    topic = world.topic(content="walrus 0")
    replies = [world.reply(topic, content=f"walrus {n}") for n in range(1, 5)]
    page = search(client, "walrus")
    assert "3+ results for “walrus”" in page
    assert "More posts match than the newest 3" in page
    assert hits(page) == replies[:-4:-1]
    # Narrowed down to fewer matches than that, the count is exact again.
    narrowed = search(client, "walrus 2")
    assert "1 result for “walrus 2”" in narrowed
    assert "More posts match" not in narrowed


def test_matches_the_searcher_may_not_see_take_no_ranked_place(app: Flask, world: World) -> None:
    topic = world.topic(content="walrus")
    older = world.reply(topic, content="walrus")
    # The two newest matches: in the staff room, and hidden by a moderator.
    world.topic(forum=world.hidden_forum, role="admin", content="walrus")
    moderate_post(world, world.reply(topic, content="walrus"), PostAction.HIDE)
    with app.app_context():
        results = SearchService(db.session, ranked_matches=2).search(
            world.actor("member"), "walrus"
        )
    assert [hit.post_id for hit in results.hits] == [older, first_post(app, topic)]
    assert not results.capped


FTS_SYNTAX = [
    '"',
    '""',
    'foo"bar',
    '"unterminated phrase',
    "AND OR NOT",
    "a AND",
    "OR",
    "NOT x",
    "*",
    "walrus*",
    "-x",
    "- -",
    "(",
    ")",
    "(walrus",
    "NEAR(",
    "NEAR(a b, 2)",
    "title:walrus",
    "{title content}: walrus",
    "^walrus",
    "+",
    "'",
    "\\",
    ";",
    "%",
    "\x00",
    "walrus\x00x",
    "\x1b[31m",
    "ω" * 50,
    "x" * 500,
    "walrus " * 100,
    "a" * 10_000,
]


@pytest.mark.parametrize("q", FTS_SYNTAX)
def test_search_syntax_in_the_query_is_harmless(client: FlaskClient, world: World, q: str) -> None:
    world.topic(content="walrus")
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200


@pytest.mark.parametrize("raw", ["%00", "%FF%FE", "%ED%A0%80", "%22%00%22"])
def test_undecodable_queries_are_harmless(client: FlaskClient, world: World, raw: str) -> None:
    assert client.get(f"/search?q={raw}").status_code == 200


@pytest.mark.parametrize("q", [*FTS_SYNTAX, "\ud800", "walrus\udfff"])
def test_the_service_takes_any_text(app: Flask, world: World, q: str) -> None:
    world.topic(content="walrus")
    with app.app_context():
        results = SearchService(db.session).search(world.actor("member"), q)
    assert results.pagination.total in (0, 1)


@pytest.mark.parametrize(
    "params",
    [
        {"forum": "abc"},
        {"forum": "-1"},
        {"forum": str(10**30)},
        {"author": "x" * 500},
        {"author": "\x00"},
        {"author": '" OR 1=1 --'},
        {"page": "-5"},
        {"page": "abc"},
    ],
)
def test_odd_filters_are_harmless(
    client: FlaskClient, world: World, params: dict[str, str]
) -> None:
    world.topic(content="walrus")
    response = client.get("/search", query_string={"q": "walrus", **params})
    assert response.status_code == 200


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</title><svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", XSS)
def test_the_query_comes_back_escaped(client: FlaskClient, world: World, payload: str) -> None:
    world.topic(title=f"About {payload}", content=f"Body {payload}")
    page = search(client, payload, author=payload)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<svg onload" not in page
    assert "&lt;" in page or "javascript" in page


@pytest.mark.parametrize("author", ["\x00", "bob\x00", "\ud800", "x" * 1000, "' OR 1=1 --"])
def test_the_service_takes_any_author(app: Flask, world: World, author: str) -> None:
    world.topic(content="walrus")
    with app.app_context(), pytest.raises(InvalidInput) as refused:
        SearchService(db.session).search(
            world.actor("member"), "walrus", SearchFilters(author=author)
        )
    assert refused.value.field == "author"


def test_an_empty_query_runs_no_search(app: Flask, client: FlaskClient, world: World) -> None:
    world.topic(content="walrus")
    for q in ("", "   "):
        with counted_queries(app) as statements:
            page = search(client, q)
        assert "No results" not in page
        assert not any("posts_fts" in statement for statement in statements)
    with app.app_context():
        actor = world.actor("member")
        with counted_queries(app) as statements:
            results = SearchService(db.session).search(actor, "")
    assert results.hits == []
    assert statements == []


def test_a_forum_hidden_from_the_actor_runs_no_search(app: Flask, world: World) -> None:
    world.topic("admin", forum=world.hidden_forum, content="walrus")
    with app.app_context():
        actor = world.actor("member")
        filters = SearchFilters(forum_id=world.hidden_forum)
        with counted_queries(app) as statements, pytest.raises(InvalidInput) as refused:
            SearchService(db.session).search(actor, "walrus", filters)
    assert refused.value.field == "forum"
    assert statements == []


def grow(world: World, matching: int) -> None:
    topic = world.topic("member2", title="Walrus facts", content="walrus")
    for _ in range(matching - 1):
        world.reply(topic, "member2", content="walrus again")


def queries_for(app: Flask, client: FlaskClient, path: str) -> int:
    client.get(path)  # warm-up
    with counted_queries(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("role", ["guest", "member"])
def test_the_search_page_runs_a_fixed_number_of_queries(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    if role == "member":
        login_as(auth, world, role)
    grow(world, 5)
    small = queries_for(app, client, "/search?q=walrus")
    grow(world, 45)
    large = queries_for(app, client, "/search?q=walrus")
    assert "50 results" in search(client, "walrus")
    assert small == large
    # A guest: the search's page of ranked ids, its hits, and the forum choices (the
    # guests' forums are cached); a member adds their account, their group's forums, the
    # header's notification bell and unread messages; PostgreSQL, the plan cache mode.
    assert large == (7 if role == "member" else 3) + (1 if ON_POSTGRESQL else 0)


@skip_on_postgresql(
    "FTS5; test_database.py::test_search_migration_indexes_existing_posts_and_downgrades_cleanly"
    " is its PostgreSQL counterpart"
)
def test_the_migration_indexes_existing_posts_and_downgrades_cleanly(tmp_path: Path) -> None:
    app = create_app(base_config(tmp_path / "forumapp.sqlite3"))
    with app.app_context():
        upgrade(directory=migrations_folder(), revision="0002_forum")
        structure = ForumStructure(db.session)
        forum = structure.create_forum(structure.create_category("Old").id, "Archive")
        # Plain SQL: the models have columns that later revisions add.
        db.session.execute(
            text(
                "INSERT INTO topics (id, forum_id, author_name, title, created_at, locked,"
                " sticky, deleted, post_number_seq, post_count, views, last_post_at,"
                " last_poster_name) VALUES (1, :forum, 'old', 'Archived walrus',"
                " CURRENT_TIMESTAMP, 0, 0, 0, 1, 1, 0, CURRENT_TIMESTAMP, 'old')"
            ),
            {"forum": forum.id},
        )
        db.session.execute(
            text(
                "INSERT INTO posts (topic_id, number, author_name, content, html,"
                " renderer_version, created_at, deleted, hidden) VALUES (1, 1, 'old',"
                " 'Written before the index', '', 1, CURRENT_TIMESTAMP, 0, 0)"
            )
        )
        db.session.commit()
        upgrade(directory=migrations_folder())
        guest = db.session.scalar(select(Group).where(Group.key == GroupKey.GUEST))
        assert guest is not None
        results = SearchService(db.session).search(load_actor(None, "", guest), "walrus before")
        assert [hit.topic_title for hit in results.hits] == ["Archived walrus"]
        downgrade(directory=migrations_folder(), revision="0002_forum")
        left = db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name LIKE '%fts%'"))
        assert left == 0
        db.engine.dispose()

"""The main pages issue a fixed number of SQL queries, whatever the amount of data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, update

from forumapp.account.profile.services import ProfileService, ProfileText
from forumapp.extensions import db
from forumapp.forum.structure import ForumStructure
from forumapp.users.models import User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as


@contextmanager
def counted_queries(app: Flask, parameters: list[Any] | None = None) -> Iterator[list[str]]:
    """The SQL statements run inside the block (and their parameters into ``parameters``)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, values: Any, *_: Any) -> None:
        statements.append(statement)
        if parameters is not None:
            parameters.append(values)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def grow(world: World, topics: int, replies: int) -> int:
    """Add topics with replies; returns the last topic's id."""
    topic = 0
    for n in range(topics):
        topic = world.topic("member2", title=f"Topic {n}")
        for _ in range(replies):
            world.reply(topic, "member2")
    return topic


def give_signature(app: Flask, user_id: int) -> None:
    """Give a member a signature, shown under each of their posts."""
    with app.app_context():
        ProfileService(db.session).save(user_id, ProfileText(signature="*signature of bob*"))


def queries_for(app: Flask, client: FlaskClient, path: str) -> int:
    client.get(path)  # warm-up: the first request loads things once per process
    with counted_queries(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("role", ["guest", "member"])
def test_page_query_counts_do_not_grow_with_data(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    app.config.update(POSTS_PER_PAGE=10, TOPICS_PER_PAGE=10, VIEW_COUNT_FLUSH_EVERY=10**9)
    if role == "member":
        login_as(auth, world, role)
    # Signatures come with the posts' own query, so they cost nothing.
    give_signature(app, world.users["member2"])
    topic = grow(world, topics=2, replies=2)
    assert "signature of bob" in client.get(f"/topic/{topic}").get_data(as_text=True)
    small = {
        "index": queries_for(app, client, "/"),
        "forum": queries_for(app, client, f"/forum/{world.forum_a}"),
        "topic": queries_for(app, client, f"/topic/{topic}"),
    }
    with app.app_context():
        structure = ForumStructure(db.session)
        category = structure.create_category("More")
        for n in range(5):
            structure.create_forum(category.id, f"Extra {n}")
    topic = grow(world, topics=15, replies=12)
    large = {
        "index": queries_for(app, client, "/"),
        "forum": queries_for(app, client, f"/forum/{world.forum_a}"),
        "topic": queries_for(app, client, f"/topic/{topic}?page=2"),
    }
    assert small == large
    # Guests: the worker keeps the guest actor and the index's member figures
    # (forumapp.caching), so only the page's own queries remain.
    budget = (
        {"index": 1, "forum": 2, "topic": 2}
        if role == "guest"
        else {"index": 7, "forum": 7, "topic": 7}
    )
    for page, count in large.items():
        assert count <= budget[page], (page, count)


def test_a_first_read_costs_the_same_whatever_the_page_holds(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    """Recording the reading position commits mid-page; nothing shown may be reloaded."""
    app.config.update(POSTS_PER_PAGE=20, VIEW_COUNT_FLUSH_EVERY=10**9)
    login_as(auth, world, "member")
    counts = []
    for replies in (2, 15):
        topic = world.topic("member2")
        for _ in range(replies):
            world.reply(topic, "member2")
        with counted_queries(app) as statements:
            assert client.get(f"/topic/{topic}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role", ["guest", "member"])
def test_avatars_cost_no_query_on_the_topic_and_forum_pages(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    """Avatar URLs come from ``users.avatar_key``, read in the pages' existing queries."""
    app.config.update(POSTS_PER_PAGE=10, TOPICS_PER_PAGE=10, VIEW_COUNT_FLUSH_EVERY=10**9)
    if role == "member":
        login_as(auth, world, role)
    topic = grow(world, topics=3, replies=4)
    pages = {"forum": f"/forum/{world.forum_a}", "topic": f"/topic/{topic}"}
    initials = {page: queries_for(app, client, path) for page, path in pages.items()}
    with app.app_context():
        db.session.execute(update(User).values(avatar_key="0" * 32))
        db.session.commit()
    with_avatars = {page: queries_for(app, client, path) for page, path in pages.items()}
    assert with_avatars == initials
    # ...and the pictures are the uploaded ones, not the initials.
    html = client.get(pages["topic"]).get_data(as_text=True)
    assert f"/media/avatars/{world.users['member2']}/{'0' * 32}-64.webp" in html
    assert "/avatars/" in html and not re.search(r"/avatars/[^\"]*\.svg", html)
    html = client.get(pages["forum"]).get_data(as_text=True)
    assert f"/media/avatars/{world.users['member2']}/{'0' * 32}-32.webp" in html

"""In-process work on the benchmark database: what to request, and SQL queries per request.

Everything here goes through forumapp's own app (``create_app()`` with the run's
``FORUMAPP_*`` environment) and Flask's test client, never through the load generator.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from forumapp import create_app
from forumapp.database import upgrade_schema
from forumapp.extensions import db
from forumapp.forum.models import Forum, Post, Topic, forum_groups
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User

#: The answer to a failed login (forumapp.auth.services.WRONG_CREDENTIALS, HTML-escaped).
LOGIN_FAILED_TEXT = b"Wrong username, email address or password."
WRONG_PASSWORD = "not the password"
_CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
_WORD = re.compile(r"[^\W\d_]{5,}")
_LINK = re.compile(r"\w+://\S+")
#: Frequent words nobody searches a forum for.
_STOPWORDS = frozenset({
    "about", "above", "after", "again", "against", "around", "because", "before", "being",
    "below", "between", "could", "doing", "during", "every", "first", "further", "having",
    "maybe", "might", "other", "quite", "really", "should", "since", "something", "anything",
    "still", "their", "theirs", "there", "these", "thing", "things", "think", "those",
    "through", "under", "until", "where", "which", "while", "would",
})  # fmt: skip
SEARCH_SAMPLE_POSTS = 5_000


@dataclass(frozen=True)
class Subjects:
    """What the benchmark requests in this database."""

    forum_id: int
    forum_title: str
    forum_pages: int
    long_topic_id: int
    long_topic_posts: int
    long_topic_pages: int
    #: A topic with exactly one page of posts, to compare the long topic with.
    short_topic_id: int | None
    short_topic_posts: int
    search_word: str
    login_name: str
    totals: dict[str, int]


@dataclass(frozen=True)
class Request:
    """One request as the test client sends it."""

    method: str
    path: str
    form: dict[str, str] | None = None


@dataclass(frozen=True)
class QueryCount:
    """SQL statements of one request, once the app is warm, and its status."""

    queries: int
    status: int
    first_queries: int


def forumapp_app() -> Flask:
    """forumapp as the servers see it, with its schema up to date."""
    app = create_app()
    upgrade_schema(app)
    return app


def database_description(app: Flask) -> str:
    """Which database the run serves from, and its version."""
    with app.app_context():
        dialect = db.engine.dialect
        with db.engine.connect():  # server_version_info is read on the first connection
            pass
        version = ".".join(str(part) for part in dialect.server_version_info or ())
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    return f"{names.get(dialect.name, dialect.name)} {version}".strip()


def find_subjects(
    app: Flask, topics_per_page: int, posts_per_page: int, search_word: str | None
) -> Subjects:
    """The busiest forum, the longest topic, a one-page topic, a common word, a member."""
    with app.app_context():
        session = db.session
        # Guests are the ones the benchmark plays: only forums they may see.
        guest_forums = (
            select(forum_groups.c.forum_id)
            .join(Group, Group.id == forum_groups.c.group_id)
            .where(Group.key == GroupKey.GUEST)
        )
        forum = session.execute(
            select(Forum.id, Forum.title, Forum.topic_count)
            .where(Forum.id.in_(guest_forums))
            .order_by(Forum.topic_count.desc(), Forum.id)
        ).first()
        long_topic = session.execute(
            select(Topic.id, Topic.post_number_seq)
            .where(Topic.deleted.is_(False), Topic.forum_id.in_(guest_forums))
            .order_by(Topic.post_number_seq.desc(), Topic.id)
        ).first()
        member = session.scalar(
            select(User.username)
            .join(Group, Group.id == User.group_id)
            .where(User.activated.is_(True), Group.key == GroupKey.MEMBER)
            .order_by(User.id.desc())
        )
        if forum is None or long_topic is None or member is None:
            raise RuntimeError("the benchmark database has no forums, topics or members")
        # A topic of exactly one full page, none of its posts removed; in the same forum
        # when there is one there.
        short_topic = session.execute(
            select(Topic.id, Topic.post_number_seq)
            .where(
                Topic.deleted.is_(False),
                Topic.post_number_seq == posts_per_page,
                Topic.post_count == posts_per_page,
                Topic.forum_id.in_(guest_forums),
            )
            .order_by((Topic.forum_id == forum.id).desc(), Topic.id)
        ).first()
        totals = {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("users", User),
                ("forums", Forum),
                ("topics", Topic),
                ("posts", Post),
            )
        }
        word = search_word or _common_word()
        session.remove()
    return Subjects(
        forum_id=forum.id,
        forum_title=forum.title,
        forum_pages=max(1, math.ceil(forum.topic_count / topics_per_page)),
        long_topic_id=long_topic.id,
        long_topic_posts=long_topic.post_number_seq,
        long_topic_pages=max(1, math.ceil(long_topic.post_number_seq / posts_per_page)),
        short_topic_id=short_topic.id if short_topic else None,
        short_topic_posts=short_topic.post_number_seq if short_topic else 0,
        search_word=word,
        login_name=member,
        totals=totals,
    )


def _common_word() -> str:
    """The word (5+ letters, no stopword) found in the most posts of an even sample."""
    session = db.session
    last_id = session.scalar(select(func.max(Post.id))) or 0
    step = max(1, last_id // SEARCH_SAMPLE_POSTS)
    bodies = session.scalars(
        select(Post.content)
        .where(Post.id % step == 0, Post.deleted.is_(False))
        .limit(SEARCH_SAMPLE_POSTS)
    )
    documents: Counter[str] = Counter()
    for body in bodies:
        words = {word.lower() for word in _WORD.findall(_LINK.sub(" ", body))}
        documents.update(words - _STOPWORDS)
    if not documents:
        raise RuntimeError("no words to search for: pass --search-word")
    return documents.most_common(1)[0][0]


@contextmanager
def counting_queries(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL statements ``engine`` executes inside the block."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count_queries(app: Flask, requests: dict[str, Request]) -> dict[str, QueryCount]:
    """SQL statements per request, each page asked twice: cold, then warm (reported)."""
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    counts: dict[str, QueryCount] = {}
    for key, request in requests.items():
        tallies = []
        status = 0
        for _ in range(2):
            form = _with_csrf(client, request) if request.form is not None else None
            with counting_queries(engine) as statements:
                response = client.open(request.path, method=request.method, data=form)
            tallies.append(len(statements))
            status = response.status_code
        counts[key] = QueryCount(queries=tallies[1], status=status, first_queries=tallies[0])
    return counts


def _with_csrf(client: Any, request: Request) -> dict[str, str]:
    """The request's form with a CSRF token of the client's session."""
    page = client.get(request.path)
    token = _CSRF.search(page.data)
    if token is None:
        raise RuntimeError(f"no csrf_token on {request.path}")
    return {**(request.form or {}), "csrf_token": token[1].decode()}


def csrf_token_in(html: bytes) -> str | None:
    """The ``csrf_token`` field's value in a page, if it has one."""
    found = _CSRF.search(html)
    return found[1].decode() if found else None

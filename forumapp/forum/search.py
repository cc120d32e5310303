"""Full-text search over topic titles and post bodies, limited to what the searcher may see.

A post matches when every term is in its body or, for the first post of a topic, in its
body and its topic's title together. Where a post is, whether it is hidden and who wrote
it are read from the live tables at query time, so moderation and moves count at once.
The index itself, per database, is in :mod:`forumapp.forum.fulltext`.

Only the newest ``SEARCH_RANKED_MATCHES`` (500) matches the searcher may see are ranked: a
common word is in a fifth of a large forum's posts, and ranking all of them took
seconds. The page then says that there are more and how to narrow the search down.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, or_, select

from forumapp import settings
from forumapp.forum.fulltext import (
    SearchQuery,
    has_control_characters,
    matcher_for,
    ranker_for,
)
from forumapp.forum.markdown import text_of_html
from forumapp.forum.models import Category, Forum, Post, Topic
from forumapp.forum.permissions import Actor
from forumapp.forum.reading import Pagination, page_count
from forumapp.persistence import DbSession
from forumapp.users.models import User, username_key

DEFAULT_PER_PAGE = 20
SNIPPET_CHARS = 200
#: Only the start of a long post's stored HTML is read for its snippet.
SNIPPET_HTML_CHARS = 6000


@dataclass(frozen=True)
class SearchHit:
    """A matching post."""

    post_id: int
    #: Its place in the topic, from 1.
    post_number: int
    topic_id: int
    topic_title: str
    forum_id: int
    forum_title: str
    author: str
    created_at: datetime
    #: Plain text (escape it like any text), around the first matching word when it has one.
    snippet: str


@dataclass(frozen=True)
class SearchResults:
    """One page of hits, best first."""

    query: SearchQuery
    hits: list[SearchHit]
    pagination: Pagination
    #: More posts match than the ``pagination.total`` newest ones that were ranked.
    capped: bool = False


@dataclass(frozen=True)
class ForumChoice:
    """A forum that can be searched in."""

    id: int
    title: str


@dataclass(frozen=True)
class CategoryChoices:
    """The searchable forums of a category, in order."""

    title: str
    forums: list[ForumChoice]


class SearchService:
    """Finds the posts an actor may see that match a query (two queries per search)."""

    def __init__(
        self, session: DbSession, ranked_matches: int = settings.SEARCH_RANKED_MATCHES
    ) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name
        self._limit = ranked_matches

    def search(
        self,
        actor: Actor,
        query: str,
        forum_id: int | None = None,
        author: str | None = None,
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> SearchResults:
        """A page of hits by relevance, then newest; nothing at all for an empty query."""
        parsed = SearchQuery.parse(query)
        forums = actor.visible_forums if forum_id is None else actor.visible_forums & {forum_id}
        # No username holds control characters (and databases refuse some of them).
        impossible_author = author is not None and has_control_characters(author)
        if not (parsed.terms and forums) or impossible_author:
            return SearchResults(parsed, [], Pagination(1, per_page, 0))
        # No more than the ranked matches can ever be shown, whatever the page asked for.
        page = min(max(page, 1), page_count(self._limit, per_page))
        chosen, total = self._ranked_page(parsed, forums, author, page, per_page)
        if not chosen and total:  # past the last page: show the last one
            page = page_count(total, per_page)
            chosen, total = self._ranked_page(parsed, forums, author, page, per_page)
        capped = total > self._limit
        total = min(total, self._limit)
        hits = self._hits(chosen, parsed) if chosen else []
        return SearchResults(parsed, hits, Pagination(page, per_page, total), capped)

    def searchable_forums(self, actor: Actor) -> list[CategoryChoices]:
        """The forums the actor may search in, by category, as on the index."""
        if not actor.visible_forums:
            return []
        rows = self._session.execute(
            select(Category.id, Category.title, Forum.id, Forum.title)
            .join(Category, Category.id == Forum.category_id)
            .where(Forum.id.in_(sorted(actor.visible_forums)))
            .order_by(Category.position, Category.id, Forum.position, Forum.id)
        ).all()
        sections: dict[int, CategoryChoices] = {}
        for category_id, category_title, forum_id, forum_title in rows:
            section = sections.setdefault(category_id, CategoryChoices(category_title, []))
            section.forums.append(ForumChoice(forum_id, forum_title))
        return list(sections.values())

    def _ranked_page(
        self,
        parsed: SearchQuery,
        forums: Iterable[int],
        author: str | None,
        page: int,
        per_page: int,
    ) -> tuple[list[int], int]:
        """One page of the newest matches the actor may see, best first (equally good
        ones newest first), and how many were ranked (the limit plus one when more match).
        """
        statements = _ranked_statements(self._dialect, by_author=bool(author))
        parameters: dict[str, Any] = {
            **parsed.parameters,
            "forums": sorted(forums),
            "author_key": username_key(author) if author else None,
            "ranked_limit": self._limit,
            "per_page": per_page,
            "skipped": (page - 1) * per_page,
        }
        # Core execution of statements built once: building and running them through the
        # ORM cost a quarter of a search's time.
        connection = self._session.connection()
        rows = connection.execute(statements.page, parameters).all()
        if rows:
            return [row.post_id for row in rows], rows[0].total
        if page == 1:
            return [], 0
        return [], connection.execute(statements.count, parameters).scalar_one()

    def _hits(self, post_ids: list[int], query: SearchQuery) -> list[SearchHit]:
        """The hits of ``post_ids``, in that order."""
        rows = self._session.connection().execute(_hits_statement(), {"post_ids": post_ids})
        hits = {}
        for row in rows:
            fields = row._asdict()
            # The stored rendering, not the Markdown source: parsing Markdown again for
            # every hit cost most of a search page's time.
            text = text_of_html(fields.pop("html"), SNIPPET_HTML_CHARS)
            hits[row.post_id] = SearchHit(**fields, snippet=excerpt(text, query.words))
        return [hits[post_id] for post_id in post_ids if post_id in hits]


@dataclass(frozen=True)
class _RankedStatements:
    page: Select[Any]
    count: Select[Any]


@functools.cache
def _ranked_statements(dialect: str, by_author: bool) -> _RankedStatements:
    """The statements that rank a query's matches on this database (built once each).

    The database ranks, sorts and counts in one query and returns one page of ids:
    handing all ranked matches to Python cost more than finding them.
    """
    found = matcher_for(dialect)()
    candidates = (
        select(*found.c)
        .join(Post, Post.id == found.c.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(
            Topic.forum_id.in_(bindparam("forums", expanding=True)),
            Topic.deleted.is_(False),
            Post.deleted.is_(False),
            Post.hidden.is_(False),
        )
    )
    if by_author:
        author_id = select(User.id).where(User.username_key == bindparam("author_key"))
        candidates = candidates.where(Post.user_id == author_id.scalar_subquery())
    limit = bindparam("ranked_limit", type_=Integer)
    # Newest first by id, the order in which SQLite's FTS5 index yields matches, so it
    # stops at the limit; one more than the limit tells whether there are more.
    newest = candidates.order_by(found.c.post_id.desc()).limit(limit + 1).subquery("newest")
    ranked = ranker_for(dialect)(newest).subquery("ranked")
    # Counted with the extra match, which then takes no place: it only tells that more
    # posts match. It is the oldest one.
    counted = select(
        *ranked.c,
        func.count().over().label("total"),
        func.min(ranked.c.post_id).over().label("oldest"),
    ).subquery("counted")
    page = (
        select(counted.c.post_id, counted.c.total)
        .where(or_(counted.c.total <= limit, counted.c.post_id != counted.c.oldest))
        .order_by(counted.c.score, counted.c.post_id.desc())
        .limit(bindparam("per_page", type_=Integer))
        .offset(bindparam("skipped", type_=Integer))
    )
    return _RankedStatements(page, select(func.count()).select_from(ranked))


@functools.cache
def _hits_statement() -> Select[Any]:
    """What a hit shows, for the posts of the ``post_ids`` parameter."""
    return (
        select(
            Post.id.label("post_id"),
            Post.number.label("post_number"),
            Topic.id.label("topic_id"),
            Topic.title.label("topic_title"),
            Forum.id.label("forum_id"),
            Forum.title.label("forum_title"),
            func.coalesce(User.username, Post.author_name).label("author"),
            Post.created_at.label("created_at"),
            func.substr(Post.html, 1, SNIPPET_HTML_CHARS).label("html"),
        )
        .join(Topic, Topic.id == Post.topic_id)
        .join(Forum, Forum.id == Topic.forum_id)
        .outerjoin(User, User.id == Post.user_id)
        .where(Post.id.in_(bindparam("post_ids", expanding=True)))
    )


def excerpt(text: str, words: Iterable[str], width: int = SNIPPET_CHARS) -> str:
    """At most ``width`` characters of ``text``, starting a little before the first of
    ``words`` found in it (or at the start), cut at spaces, with "…" where text was left out.
    """
    pattern = "|".join(re.escape(word) for word in words)
    found = re.search(pattern, text, re.IGNORECASE) if pattern else None
    start = 0
    if found and found.end() > width * 2 // 3:
        start = max(found.start() - width // 4, 0)
        # Begin at a word when one starts shortly before (text without spaces has none).
        space = text.rfind(" ", max(start - 20, 0), start)
        start = space + 1 if space >= 0 else start
    prefix = "…" if start else ""
    rest = text[start:]
    if len(prefix) + len(rest) <= width:
        return prefix + rest
    head = rest[: width - len(prefix) - 1]
    if rest[len(head)] != " ":
        head = head.rpartition(" ")[0] or head
    return prefix + head.rstrip() + "…"

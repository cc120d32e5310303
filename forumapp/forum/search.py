"""Full-text search over topic titles and post bodies, limited to what the searcher may see.

A post matches when every term is in its body or, for the first post of a topic, in its
body and its topic's title together. Where a post is, whether it is hidden and who wrote
it are read from the live tables at query time, so moderation and moves count at once.
The index itself, per database, is in :mod:`forumapp.forum.fulltext`.

Only the newest ``SEARCH_RANKED_MATCHES`` (500) matches the searcher may see are ranked: a
common word is in a fifth of a large forum's posts, and ranking all of them took
seconds. The page then says that there are more and how to narrow the search down:
a forum, an author, a date range, topics only (titles and first posts). Results come by
relevance or newest first, each with an excerpt cut by the database around the best
match (:mod:`forumapp.forum.highlight` makes it safe), for the posts of the page only.

Filters must not make the index walk every match. Topics only reads an index of first
posts (:mod:`forumapp.forum.fulltext`). On SQLite, whose FTS5 index is always walked
newest first, a date range that holds few posts (at most ``NARROW_RANGE_POSTS``) bounds
the walk by the smallest and largest id of its posts, read from the ``created_at`` index,
and checks each match against that set of ids before looking the post up: ids grow with
time, so a narrow or long-past range walks only its own stretch of the index, and the
bounds stay exact when some do not (posts imported or built out of order, as the demo
builds them topic by topic). PostgreSQL's planner weighs the created_at index against
the GIN index itself, with each search's words and dates (never a prepared statement's
generic plan); its matches are rows of posts, filtered by their own columns, and a range
that ends in the past is walked back from its end.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.selectable import Subquery

from forumapp import settings
from forumapp.forum.errors import InvalidInput
from forumapp.forum.fulltext import (
    POST_COLUMNS,
    SearchQuery,
    excerpter_for,
    has_control_characters,
    matcher_for,
    ranker_for,
)
from forumapp.forum.highlight import highlighted, readable
from forumapp.forum.models import Category, Forum, Post, Topic
from forumapp.forum.permissions import Actor
from forumapp.forum.reading import Pagination, page_count
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession
from forumapp.users.models import User, username_key

DEFAULT_PER_PAGE = 20
_MOMENT = Post.created_at.type
#: Said of a forum that does not exist and of one the searcher may not read alike.
UNKNOWN_FORUM = _l("Choose a forum from the list.")
NO_DATES = _l("The end date comes before the start date.")
#: A date range of at most this many posts narrows the index's walk down to their ids;
#: finding out costs a walk of at most this many entries of the ``created_at`` index.
NARROW_RANGE_POSTS = 20_000
#: Larger than any id: the upper bound of a range that does not narrow the walk.
_NO_LAST_ID = 2**62


class Sort(StrEnum):
    """The order of the results."""

    #: Best matches first, equally good ones newest first.
    RELEVANCE = "relevance"
    #: Newest first.
    DATE = "date"


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search down besides its words (field names as on the search form)."""

    forum_id: int | None = None
    #: A username, in any case.
    author: str | None = None
    #: Posts written at or after this moment...
    since: datetime | None = None
    #: ...and before this one.
    until: datetime | None = None
    #: Match topics only: their titles and first posts.
    topics_only: bool = False
    sort: Sort = Sort.RELEVANCE


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
    #: The author's account (``None`` once it is deleted) and avatar, for their picture.
    author_id: int | None
    avatar_key: str | None
    created_at: datetime
    #: Escaped text around the best match, the matching words in ``<mark>``.
    excerpt: Markup


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


@dataclass(frozen=True)
class _Shape:
    """Which filters a statement applies: each combination is built once."""

    by_author: bool
    since: bool
    until: bool
    topics_only: bool
    sort: Sort


class SearchService:
    """Finds the posts an actor may see that match a query (two queries per search, a
    third to find the author when one is named)."""

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
        filters: SearchFilters = SearchFilters(),
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> SearchResults:
        """A page of hits in the order asked for; nothing at all for an empty query.

        Raises ``InvalidInput`` naming the search form's field for a forum the actor
        cannot read (as for one that does not exist), an author nobody is called, or a
        date range that ends before it starts.
        """
        parsed = SearchQuery.parse(query)
        if not parsed.terms:
            return SearchResults(parsed, [], Pagination(1, per_page, 0))
        forums = self._forums(actor, filters.forum_id)
        if filters.since and filters.until and filters.since >= filters.until:
            raise InvalidInput("date_to", NO_DATES)
        author_id = self._author_id(filters.author) if filters.author else None
        if not forums:
            return SearchResults(parsed, [], Pagination(1, per_page, 0))
        shape = _Shape(
            author_id is not None,
            filters.since is not None,
            filters.until is not None,
            filters.topics_only,
            filters.sort,
        )
        parameters: dict[str, Any] = {
            **parsed.parameters,
            "forums": sorted(forums),
            "author_id": author_id,
            "since": filters.since,
            "until": filters.until,
            "ranked_limit": self._limit,
            "per_page": per_page,
        }
        # No more than the ranked matches can ever be shown, whatever the page asked for.
        page = min(max(page, 1), page_count(self._limit, per_page))
        self._plan_with_these_values()
        chosen, total = self._ranked_page(shape, parameters, page, per_page)
        if not chosen and total:  # past the last page: show the last one
            page = page_count(total, per_page)
            chosen, total = self._ranked_page(shape, parameters, page, per_page)
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

    @staticmethod
    def _forums(actor: Actor, forum_id: int | None) -> frozenset[int]:
        """The forums to search in: the one chosen, or all the actor may read."""
        if forum_id is None:
            return frozenset(actor.visible_forums)
        if forum_id not in actor.visible_forums:
            raise InvalidInput("forum", UNKNOWN_FORUM)
        return frozenset({forum_id})

    def _author_id(self, author: str) -> int:
        """The account called ``author``."""
        # No username holds control characters (and databases refuse some of them).
        found = None
        if not has_control_characters(author):
            found = self._session.scalar(
                select(User.id).where(User.username_key == username_key(author))
            )
        if found is None:
            raise InvalidInput("author", _l("No member has this username."))
        return found

    def _plan_with_these_values(self) -> None:
        """On PostgreSQL, plan this search's statements with its own words and dates.

        psycopg prepares a statement that a connection has run five times, and PostgreSQL
        may then reuse one generic plan for every search: a plan that knows neither how
        rare the words are nor how long the range is. At a million posts it walked the
        whole ``created_at`` index for a rare word (3.9 s instead of 30 ms). ``SET LOCAL``
        lasts until the request's transaction ends.
        """
        if self._dialect == "postgresql":
            self._session.connection().exec_driver_sql(
                "SET LOCAL plan_cache_mode = force_custom_plan"
            )

    def _ranked_page(
        self, shape: _Shape, parameters: dict[str, Any], page: int, per_page: int
    ) -> tuple[list[int], int]:
        """One page of the newest matches the actor may see, in the order asked for, and
        how many were ranked (the limit plus one when more match).
        """
        statements = _ranked_statements(self._dialect, shape)
        parameters = {**parameters, "skipped": (page - 1) * per_page}
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
        statement = _hits_statement(self._dialect)
        rows = self._session.connection().execute(
            statement, {**query.parameters, "post_ids": post_ids}
        )
        hits = {}
        for row in rows:
            fields = row._asdict()
            # The excerpt of a post that matches by its title alone has no marks.
            excerpt = highlighted(readable(fields.pop("excerpt") or ""))
            hits[row.post_id] = SearchHit(**fields, excerpt=excerpt)
        return [hits[post_id] for post_id in post_ids if post_id in hits]


@dataclass(frozen=True)
class _RankedStatements:
    """A page of ranked matches, and their count for a page past the last."""

    page: Select[Any]
    count: Select[Any]


@functools.cache
def _ranked_statements(dialect: str, shape: _Shape) -> _RankedStatements:
    """The statements that rank a query's matches on this database (built once each).

    The database ranks, sorts and counts in one query and returns one page of ids:
    handing all ranked matches to Python cost more than finding them.
    """
    by_relevance = shape.sort is Sort.RELEVANCE
    # Sorting by date needs no score, which costs FTS5 a count of every matching post.
    found = matcher_for(dialect)(by_relevance, shape.topics_only)
    if set(found.c.keys()) >= POST_COLUMNS:
        # The matches are rows of posts themselves (PostgreSQL): their own columns, where
        # joining posts again cost each walked row a second look-up (4 buffers).
        posts: ReadOnlyColumnCollection[str, Any] = found.c
        candidates = select(found.c.post_id)
    else:
        posts = Post.__table__.c
        candidates = select(*found.c).join(Post, Post.id == found.c.post_id)
    candidates = candidates.join(Topic, Topic.id == posts.topic_id).where(
        Topic.forum_id.in_(bindparam("forums", expanding=True)),
        Topic.deleted.is_(False),
        posts.deleted.is_(False),
        posts.hidden.is_(False),
    )
    if shape.by_author:
        author = _found_by_the_index(posts.user_id, dialect)
        candidates = candidates.where(author == bindparam("author_id", type_=Integer))
    if shape.since or shape.until:
        created_at = _found_by_the_index(posts.created_at, dialect)
        candidates = candidates.where(*_within_dates(created_at, shape))
        if dialect == "sqlite":
            # PostgreSQL plans each search with its values and statistics, and picks the
            # created_at index for a narrow range by itself; bounds it cannot see at
            # planning time made it walk the primary key instead (10x the buffers).
            candidates = candidates.where(*_narrowed_to_dates(found.c.post_id, shape))
    if shape.topics_only:
        candidates = candidates.where(posts.number == 1)
    limit = bindparam("ranked_limit", type_=Integer)
    if dialect == "postgresql" and (shape.until or shape.by_author):
        newest = _newest_by_date(candidates, posts.created_at, found.c.post_id, limit)
    else:
        # Newest first by id, the order in which SQLite's FTS5 index yields matches, so it
        # stops at the limit; one more than the limit tells whether there are more. Ids
        # grow with time and are never reused (migration 0012): newest by id is newest by
        # date.
        walk: ColumnElement[int] = found.c.post_id
        if dialect == "postgresql" and shape.topics_only:
            # "+ 0": not the primary key's order, so the partial index of first posts is
            # read whole (a few thousand entries at most) and sorted. Walking the primary
            # key for a word common in replies but absent from first posts read every post
            # (206,373 buffers; 17 this way).
            walk = found.c.post_id + 0
        newest = candidates.order_by(walk.desc()).limit(limit + 1).subquery("newest")
    ranked = (ranker_for(dialect)(newest) if by_relevance else select(*newest.c)).subquery("ranked")
    # Counted with the extra match, which then takes no place: it only tells that more
    # posts match. It is the last one of the walk: the oldest by id, or the last place.
    counted = select(
        *ranked.c,
        func.count().over().label("total"),
        func.min(ranked.c.post_id).over().label("oldest"),
    ).subquery("counted")
    order = (counted.c.score,) if by_relevance else ()
    ranked_only: ColumnElement[bool]
    newest_first: ColumnElement[Any]
    if "place" in counted.c:
        ranked_only = counted.c.place <= limit
        newest_first = counted.c.place
    else:
        ranked_only = or_(counted.c.total <= limit, counted.c.post_id != counted.c.oldest)
        newest_first = counted.c.post_id.desc()
    page = (
        select(counted.c.post_id, counted.c.total)
        .where(ranked_only)
        .order_by(*order, newest_first)
        .limit(bindparam("per_page", type_=Integer))
        .offset(bindparam("skipped", type_=Integer))
    )
    return _RankedStatements(page, select(func.count()).select_from(ranked))


def _newest_by_date(
    candidates: Select[Any],
    created_at: ColumnElement[Any],
    post_id: ColumnElement[int],
    limit: ColumnElement[int],
) -> Subquery:
    """The newest ``limit`` + 1 candidates by date, each with its ``place`` in that order.

    For a range that ends in the past, or an author's posts: PostgreSQL walks the
    ``created_at`` index (or the author's ``(user_id, created_at)`` one) back from the
    range's end and stops once it has found enough matches, where walking the primary key
    back from the newest post read every newer post on the way (186,053 buffers for "To"
    the middle of a million posts; 5,375 this way). A range that reaches the present keeps
    the primary key's walk, which starts inside it and reads each heap page once (4,470
    buffers for the last month, against 44,000 through the ``created_at`` index).
    """
    walk = (created_at.desc(), post_id.desc())
    place = func.row_number().over(order_by=walk).label("place")
    return candidates.add_columns(place).order_by(*walk).limit(limit + 1).subquery("newest")


def _found_by_the_index(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """A column of the posts the full-text index finds, for conditions that must filter
    them rather than find them.

    On SQLite, a unary plus: given an author or dates, SQLite would otherwise drive the
    search from posts' own indexes and look each post up in FTS5, where a scored search
    recounts every match of its terms for each post (bm25): seconds for a week of posts.
    """
    if dialect != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _within_dates(created_at: ColumnElement[Any], shape: _Shape) -> list[ColumnElement[bool]]:
    """The conditions of the date range on ``created_at`` (of posts or an alias)."""
    conditions = []
    if shape.since:
        conditions.append(created_at >= bindparam("since", type_=_MOMENT))
    if shape.until:
        conditions.append(created_at < bindparam("until", type_=_MOMENT))
    return conditions


def _narrowed_to_dates(post_id: ColumnElement[int], shape: _Shape) -> list[ColumnElement[bool]]:
    """Conditions on the matches' ids that are implied by the date range: bounds the index
    walks between, and membership of the range's ids, when the range holds few posts. The
    range is read once per search, in the same statement (a CTE).
    """
    window = _date_window(shape)
    narrow = select(window.c.narrow).scalar_subquery()
    in_range = Post.__table__.alias("in_range")
    ids_in_range = select(in_range.c.id).where(*_within_dates(in_range.c.created_at, shape))
    return [
        post_id >= select(window.c.first_id).scalar_subquery(),
        post_id <= select(window.c.last_id).scalar_subquery(),
        # "+ 0" keeps the set a filter on the walk: as a constraint on the index, SQLite
        # would look each of the range's posts up in it, which costs far more per post.
        or_(narrow.is_(false()), (post_id + 0).in_(ids_in_range)),
    ]


def _date_window(shape: _Shape) -> CTE:
    """One row: whether the range holds at most ``NARROW_RANGE_POSTS`` posts, and if so
    the smallest and largest of their ids (else no bounds at all)."""
    counted = Post.__table__.alias("counted_in_range")
    # A post past the limit, in the created_at index's order, means the range is wide.
    beyond = (
        select(counted.c.created_at)
        .where(*_within_dates(counted.c.created_at, shape))
        .order_by(counted.c.created_at)
        .limit(1)
        .offset(NARROW_RANGE_POSTS)
        .scalar_subquery()
    )
    # Materialized: both bounds read the flag, and the range is walked once to set it.
    flag = select(beyond.is_(None).label("narrow")).cte("range_size").prefix_with("MATERIALIZED")
    bounded = Post.__table__.alias("bounded")
    within = _within_dates(bounded.c.created_at, shape)
    # "+ 0": the range is read from the created_at index, where ``min(id)`` alone would
    # walk the primary key until a post of the range turns up.
    first = select(func.min(bounded.c.id + 0)).where(*within).scalar_subquery()
    last = select(func.max(bounded.c.id + 0)).where(*within).scalar_subquery()
    return (
        select(
            flag.c.narrow,
            case((flag.c.narrow, first), else_=literal(0)).label("first_id"),
            case((flag.c.narrow, last), else_=literal(_NO_LAST_ID)).label("last_id"),
        )
        .cte("date_window")
        .prefix_with("MATERIALIZED")
    )


@functools.cache
def _hits_statement(dialect: str) -> Select[*tuple[Any, ...]]:
    """What a hit shows, for the posts of the ``post_ids`` parameter: the excerpt is cut
    for these posts only."""
    statement: Select[*tuple[Any, ...]] = (
        select(
            Post.id.label("post_id"),
            Post.number.label("post_number"),
            Topic.id.label("topic_id"),
            Topic.title.label("topic_title"),
            Forum.id.label("forum_id"),
            Forum.title.label("forum_title"),
            func.coalesce(User.username, Post.author_name).label("author"),
            User.id.label("author_id"),
            User.avatar_key.label("avatar_key"),
            Post.created_at.label("created_at"),
        )
        .select_from(Post)
        .join(Topic, Topic.id == Post.topic_id)
        .join(Forum, Forum.id == Topic.forum_id)
        .outerjoin(User, User.id == Post.user_id)
        .where(Post.id.in_(bindparam("post_ids", expanding=True)))
    )
    return excerpter_for(dialect)(statement)

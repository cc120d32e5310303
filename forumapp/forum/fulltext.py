"""The full-text index of each database, and the searcher's words as a query for it.

The database keeps the index current on every write, so posting does no extra work:

- SQLite: the FTS5 table ``posts_fts`` (title, content) indexes the view
  ``posts_fts_source``: each post's body, and its topic's title on first posts. Triggers
  on ``posts`` and ``topics`` keep it current (migration 0003). Should it ever drift,
  ``INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')`` mends it. Searches of topics
  only read ``first_posts_fts``, the same over first posts alone (migration 0028): a word
  of many replies but few first posts no longer walks all its matches.
- PostgreSQL: the column ``posts.search_vector`` (``to_tsvector('simple', ...)`` of the
  body, and of the topic's title on first posts, labelled A) with a GIN index, kept by
  triggers on ``posts`` and ``topics`` (migration 0011), and a partial GIN index of first
  posts' vectors for searches of topics only (migration 0028).

Neither can be declared on the models, so Alembic's autogenerate is told to skip them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Float,
    Integer,
    Select,
    String,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.sql.elements import ColumnClause, ColumnElement
from sqlalchemy.sql.schema import SchemaItem
from sqlalchemy.sql.selectable import NamedFromClause, Subquery

from forumapp.forum.highlight import ELLIPSIS, MARK_END, MARK_START
from forumapp.forum.models import Post

#: SQLite's FTS5 table and the view it indexes.
SEARCH_TABLE = "posts_fts"
SEARCH_SOURCE_VIEW = "posts_fts_source"
#: The same for first posts only (with their topics' titles), and its view.
FIRST_POSTS_TABLE = "first_posts_fts"
FIRST_POSTS_SOURCE_VIEW = "first_posts_fts_source"
#: FTS5 keeps the index of a table in shadow tables named after it.
_FTS5_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
_SEARCH_TABLES = frozenset(
    {
        name
        for table_name, source in (
            (SEARCH_TABLE, SEARCH_SOURCE_VIEW),
            (FIRST_POSTS_TABLE, FIRST_POSTS_SOURCE_VIEW),
        )
        for name in (table_name, source, *(table_name + s for s in _FTS5_SHADOW_SUFFIXES))
    }
)
#: PostgreSQL's search column and its indexes (all posts, first posts), which the models
#: do not declare.
SEARCH_COLUMN = "search_vector"
SEARCH_INDEXES = frozenset({"ix_posts_search_vector", "ix_posts_search_vector_first"})

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MAX_TERM_CHARS = 100
#: The bound parameter that carries a query's terms (see SearchQuery.parameters).
_EXPRESSION = "search_expression"
#: Title matches outrank body matches of the same strength.
TITLE_WEIGHT = 2.0
#: About how many words of a post an excerpt shows.
EXCERPT_WORDS = 32

_CHUNK = re.compile(r'"([^"]*)"|([^\s"]+)')
_CONTROL_CATEGORIES = frozenset({"Cc", "Cs"})


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds characters no search can be about: controls (NUL among them,
    which PostgreSQL refuses in text) and lone surrogates (which no encoder accepts).
    """
    return any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in text)


def is_search_index_table(name: str) -> bool:
    """Whether ``name`` is a table (or view) of SQLite's search index."""
    return name in _SEARCH_TABLES


def include_object(
    _object: SchemaItem | None,
    name: str | None,
    type_: str,
    _reflected: bool,
    _compare_to: SchemaItem | None,
) -> bool:
    """Alembic's ``include_object`` hook: the search index lives outside the models."""
    if name is None:
        return True
    if type_ == "table":
        return not is_search_index_table(name)
    if type_ == "column":
        return name != SEARCH_COLUMN
    return not (type_ == "index" and name in SEARCH_INDEXES)


@dataclass(frozen=True)
class SearchQuery:
    """What was asked for: terms (a word, or a "quoted phrase") that must all match."""

    terms: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> SearchQuery:
        """Terms from free text; the engines' query syntax is never passed through."""
        text = "".join(
            " " if unicodedata.category(char) in _CONTROL_CATEGORIES else char
            for char in text[:MAX_QUERY_CHARS]
        )
        terms: list[str] = []
        for match in _CHUNK.finditer(text):
            term = " ".join((match.group(1) or match.group(2) or "").split())[:MAX_TERM_CHARS]
            if any(char.isalnum() for char in term) and term not in terms:
                terms.append(term)
        return cls(tuple(terms[:MAX_TERMS]))

    @property
    def expression(self) -> str:
        """Each term as a double-quoted string: an FTS5 query, and a websearch_to_tsquery
        input, whose operators (AND, OR, NOT, NEAR, *, -, parentheses) are plain text there.
        """
        return " ".join(f'"{term}"' for term in self.terms)

    @property
    def parameters(self) -> dict[str, str]:
        """The values of the bound parameters in :data:`Matcher`'s and :data:`Ranker`'s
        statements, which are built once and run for every query.
        """
        return {_EXPRESSION: self.expression}


#: The posts matching the query of :attr:`SearchQuery.parameters`, unique: a subquery with
#: a ``post_id`` column and, when asked for (``scored``), whatever the database's
#: :data:`Ranker` needs besides; where the index is a column of posts (PostgreSQL), the
#: columns of :data:`POST_COLUMNS` too, so that nothing joins posts again. The second
#: argument (``first_posts``) keeps first posts only, read from their own index.
Matcher = Callable[[bool, bool], Subquery]
#: The columns of posts a search filters on.
POST_COLUMNS = frozenset({"topic_id", "user_id", "created_at", "number", "deleted", "hidden"})
#: Scores candidates (a subquery of the matcher's columns, already narrowed down to the
#: ones to rank): their columns, with ``score`` (lower is better) when the matcher had none.
Ranker = Callable[[Subquery], Select[Any]]
#: Adds an ``excerpt`` column to a statement that selects from ``posts``: the part of each
#: post's body that best matches the query, the matching words between the marks of
#: :mod:`forumapp.forum.highlight`. It is costly, so it is for a page of posts only.
Excerpter = Callable[[Select[*tuple[Any, ...]]], Select[*tuple[Any, ...]]]


def _every_term() -> BindParameter[str]:
    return bindparam(_EXPRESSION, type_=String)


def _fts5_matches(scored: bool, first_posts: bool) -> Subquery:
    name = FIRST_POSTS_TABLE if first_posts else SEARCH_TABLE
    posts_fts = table(name, column("rowid", Integer))
    fts: ColumnClause[Any] = literal_column(name)
    # bm25() only exists inside the MATCH query. SQLite merges this subquery into the one
    # that narrows the candidates down, so it scores only the rows that query keeps.
    # It counts every document that holds a term: results by date go without it.
    score = func.bm25(fts, TITLE_WEIGHT, 1.0, type_=Float).label("score")
    return (
        select(posts_fts.c.rowid.label("post_id"), *([score] if scored else []))
        .where(fts.op("MATCH")(_every_term()))
        .subquery("hits")
    )


def _fts5_ranked(candidates: Subquery) -> Select[Any]:
    return select(*candidates.c)


def _fts5_excerpt(statement: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    posts_fts = table(SEARCH_TABLE, column("rowid", Integer))
    fts: ColumnClause[Any] = literal_column(SEARCH_TABLE)
    # snippet() only exists inside a MATCH query. One per post, by rowid: FTS5 then looks
    # the post up, where a join would walk every match of the query. Column 1 is the
    # body: the title is shown on its own.
    excerpt = (
        select(func.snippet(fts, 1, MARK_START, MARK_END, ELLIPSIS, EXCERPT_WORDS, type_=String))
        .where(fts.op("MATCH")(_every_term()), posts_fts.c.rowid == Post.id)
        .scalar_subquery()
    )
    return statement.add_columns(excerpt.label("excerpt"))


_SIMPLE: ColumnClause[Any] = literal_column("'simple'::regconfig")
#: ts_rank's weights of labels D, C, B, A: titles (A) count TITLE_WEIGHT times the body (D).
_RANK_WEIGHTS: ColumnClause[Any] = literal_column(
    f"'{{0.1, 0.2, 0.4, {0.1 * TITLE_WEIGHT}}}'::float4[]"
)


def _search_vector(posts: NamedFromClause) -> ColumnElement[Any]:
    # The column exists on PostgreSQL only (migration 0011), so the model does not map it.
    return literal_column(f"{posts.name}.search_vector")


def _postgresql_matches(_scored: bool, first_posts: bool) -> Subquery:
    posts = Post.__table__.alias("matched")
    every = func.websearch_to_tsquery(_SIMPLE, _every_term())
    # The stored vector holds the body, and the topic's title on first posts (label A).
    # The matches carry the columns the search filters on: they are rows of posts.
    matches = select(
        posts.c.id.label("post_id"), *(posts.c[name] for name in sorted(POST_COLUMNS))
    ).where(_search_vector(posts).bool_op("@@")(every))
    if first_posts:
        # Said of this alias, so that the partial index of first posts (0028) applies.
        matches = matches.where(posts.c.number == 1)
    return matches.subquery("hits")


def _postgresql_ranked(candidates: Subquery) -> Select[Any]:
    every = func.websearch_to_tsquery(_SIMPLE, _every_term())
    posts = Post.__table__.alias("ranked_posts")
    # ts_rank does not normalize by length here: a title adds its own matches only.
    score = func.ts_rank(_RANK_WEIGHTS, _search_vector(posts), every, type_=Float)
    # The candidates' other columns (their place in the walk, when there is one) go along.
    return select(*candidates.c, (-score).label("score")).join(
        posts, posts.c.id == candidates.c.post_id
    )


#: ts_headline's choices: about as long as FTS5's excerpts, one stretch of text (its
#: fragments mode drops the punctuation at their ends).
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, "
    f"MaxWords={EXCERPT_WORDS}, MinWords={EXCERPT_WORDS // 2}"
)


def _postgresql_excerpt(statement: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    every = func.websearch_to_tsquery(_SIMPLE, _every_term())
    options: ColumnClause[Any] = literal_column(f"'{_HEADLINE_OPTIONS}'")
    excerpt = func.ts_headline(_SIMPLE, Post.content, every, options, type_=String)
    return statement.add_columns(excerpt.label("excerpt"))


_MATCHERS: dict[str, tuple[Matcher, Ranker, Excerpter]] = {
    "sqlite": (_fts5_matches, _fts5_ranked, _fts5_excerpt),
    "postgresql": (_postgresql_matches, _postgresql_ranked, _postgresql_excerpt),
}


def matcher_for(dialect: str) -> Matcher:
    """How to match on a database of this SQLAlchemy dialect."""
    return _engine_for(dialect)[0]


def ranker_for(dialect: str) -> Ranker:
    """How to rank the candidates of :func:`matcher_for`'s on this dialect."""
    return _engine_for(dialect)[1]


def excerpter_for(dialect: str) -> Excerpter:
    """How to cut highlighted excerpts out of matching posts on this dialect."""
    return _engine_for(dialect)[2]


def _engine_for(dialect: str) -> tuple[Matcher, Ranker, Excerpter]:
    try:
        return _MATCHERS[dialect]
    except KeyError:
        raise LookupError(f"Full-text search is not available on {dialect}.") from None

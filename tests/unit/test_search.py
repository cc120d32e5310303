"""Search without a database: parsing what people type, the autogenerate filter."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import Index, MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite

from forumapp.forum.fulltext import (
    MAX_TERM_CHARS,
    MAX_TERMS,
    SearchQuery,
    include_object,
    is_search_index_table,
)
from forumapp.forum.search import Sort, _hits_statement, _ranked_statements, _Shape


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("", ()),
        ("   ", ()),
        ("kettle", ("kettle",)),
        ("  kettle   descaling ", ("kettle", "descaling")),
        ('"citric acid" kettle', ("citric acid", "kettle")),
        ('"  spaced   out  "', ("spaced out",)),
        ('foo"bar', ("foo", "bar")),
        ('"unterminated phrase', ("unterminated", "phrase")),
        ("AND OR NOT", ("AND", "OR", "NOT")),
        ("* - ( ) ^ : +", ()),
        ("-x NEAR(a", ("-x", "NEAR(a")),
        ("walrus walrus", ("walrus",)),
        ("tab\there\x00nul", ("tab", "here", "nul")),
        ("lone\ud800surrogate", ("lone", "surrogate")),
        ("café 東京 ω", ("café", "東京", "ω")),
    ],
)
def test_queries_become_plain_terms(text: str, terms: tuple[str, ...]) -> None:
    assert SearchQuery.parse(text).terms == terms


def test_every_term_is_one_quoted_string() -> None:
    query = SearchQuery.parse('NEAR(a "b c" OR')
    assert query.expression == '"NEAR(a" "b c" "OR"'


def test_long_queries_are_cut_short() -> None:
    query = SearchQuery.parse(" ".join(f"w{n}" for n in range(100)) + " " + "x" * 1000)
    assert len(query.terms) == MAX_TERMS
    assert SearchQuery.parse("y" * 1000).terms == ("y" * MAX_TERM_CHARS,)


@pytest.mark.parametrize(
    "name",
    [
        "posts_fts",
        "posts_fts_data",
        "posts_fts_idx",
        "posts_fts_docsize",
        "posts_fts_config",
        "posts_fts_source",
    ],
)
def test_the_search_index_is_left_out_of_autogenerate(name: str) -> None:
    assert is_search_index_table(name)
    assert not include_object(None, name, "table", True, None)


@pytest.mark.parametrize("name", ["posts", "topics", "posts_fts_other", "users"])
def test_the_models_tables_stay_in_autogenerate(name: str) -> None:
    assert not is_search_index_table(name)
    assert include_object(Table(name, MetaData()), name, "table", True, None)


def test_postgresql_search_column_and_index_are_left_out_of_autogenerate() -> None:
    assert not include_object(None, "ix_posts_search_vector", "index", True, None)
    assert not include_object(None, "search_vector", "column", True, None)
    index = Index("ix_posts_created_at")
    assert include_object(index, "ix_posts_created_at", "index", True, None)
    assert include_object(None, "content", "column", True, None)


def compiled(dialect_name: str, shape: _Shape) -> str:
    """The ranking statement, without SQLite's unary plus on the columns the full-text
    walk filters by (which keeps them from driving the search), and with PostgreSQL's
    matches (rows of posts, filtered by their own columns) named as posts."""
    dialect = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}[dialect_name]
    statement = str(_ranked_statements(dialect_name, shape).page.compile(dialect=dialect))
    statement = re.sub(r"\bhits\.(?=\w)", "posts.", statement)
    return re.sub(r"\(\+ (posts\.\w+)\)", r"\1", statement)


def test_sqlite_filters_the_walk_by_author_and_dates_with_a_unary_plus() -> None:
    shape = replace(PLAIN, by_author=True, since=True, until=True)
    statement = str(_ranked_statements("sqlite", shape).page.compile(dialect=sqlite.dialect()))
    for column in ("user_id", "created_at"):
        assert f"(+ posts.{column})" in statement


PLAIN = _Shape(by_author=False, since=False, until=False, topics_only=False, sort=Sort.RELEVANCE)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    ("change", "condition"),
    [
        ({"by_author": True}, "posts.user_id = "),
        ({"since": True}, "posts.created_at >= "),
        ({"until": True}, "posts.created_at < "),
        ({"topics_only": True}, "posts.number = "),
    ],
)
def test_each_filter_adds_its_condition_and_only_it(
    dialect: str, change: dict[str, bool], condition: str
) -> None:
    assert condition not in compiled(dialect, PLAIN)
    statement = compiled(dialect, replace(PLAIN, **change))
    assert condition in statement
    # (An author's posts or a range ending in the past are walked in date order on
    # PostgreSQL: created_at may be named in the order, never in a condition.)
    for other in (
        "posts.user_id = ",
        "posts.created_at >= ",
        "posts.created_at < ",
        "posts.number = ",
    ):
        if other != condition:
            assert other not in statement


def test_sorting_by_date_asks_fts5_for_no_score() -> None:
    assert "bm25" in compiled("sqlite", PLAIN)
    by_date = compiled("sqlite", replace(PLAIN, sort=Sort.DATE))
    assert "bm25" not in by_date
    assert "ts_rank" not in compiled("postgresql", replace(PLAIN, sort=Sort.DATE))
    assert "ts_rank" in compiled("postgresql", PLAIN)


@pytest.mark.parametrize(
    ("dialect", "function"), [("sqlite", "snippet("), ("postgresql", "ts_headline(")]
)
def test_excerpts_are_cut_for_the_posts_of_the_page_only(dialect: str, function: str) -> None:
    hits = _hits_statement(dialect)
    text = str(
        hits.compile(
            dialect={"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}[dialect]
        )
    )
    assert function in text
    assert "posts.id IN (__[POSTCOMPILE_post_ids])" in text
    assert function not in compiled(dialect, PLAIN)

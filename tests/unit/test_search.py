"""Search without a database: parsing what people type, snippets, the autogenerate filter."""

from __future__ import annotations

import pytest
from sqlalchemy import Index, MetaData, Table

from forumapp.forum.fulltext import (
    MAX_TERM_CHARS,
    MAX_TERMS,
    SearchQuery,
    include_object,
    is_search_index_table,
)
from forumapp.forum.search import excerpt


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
    assert query.words == ["NEAR", "a", "b", "c", "OR"]


def test_long_queries_are_cut_short() -> None:
    query = SearchQuery.parse(" ".join(f"w{n}" for n in range(100)) + " " + "x" * 1000)
    assert len(query.terms) == MAX_TERMS
    assert SearchQuery.parse("y" * 1000).terms == ("y" * MAX_TERM_CHARS,)


def test_a_snippet_starts_at_the_beginning_when_the_match_is_near() -> None:
    text = "The kettle is descaled with citric acid. " + "More words here. " * 30
    snippet = excerpt(text, ["citric"], width=80)
    assert snippet.startswith("The kettle is descaled with citric acid.")
    assert snippet.endswith("…")
    assert len(snippet) <= 80


def test_a_snippet_moves_to_a_far_match() -> None:
    text = "lead " * 100 + "the needle is here " + "tail " * 100
    snippet = excerpt(text, ["NEEDLE"], width=80)
    assert snippet.startswith("…lead")
    assert "the needle is here" in snippet
    assert snippet.endswith("…")
    assert len(snippet) <= 80


def test_a_snippet_of_short_text_is_the_text() -> None:
    assert excerpt("Short post.", ["post"]) == "Short post."
    assert excerpt("Short post.", []) == "Short post."


def test_a_snippet_of_text_without_spaces_still_shows_the_match() -> None:
    text = "字" * 300 + "東京" + "字" * 300
    snippet = excerpt(text, ["東京"], width=50)
    assert "東京" in snippet
    assert len(snippet) <= 50


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

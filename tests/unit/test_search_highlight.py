"""Highlighted excerpts: only the database's marks become markup, everything else is text."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from forumapp.forum.highlight import MARK_END, MARK_START, highlighted, readable
from tests.unit.xss_corpus import RAW_HTML


def marked(word: str) -> str:
    return f"{MARK_START}{word}{MARK_END}"


def test_marked_words_become_mark_elements() -> None:
    excerpt = f"Descale the {marked('kettle')} with {marked('citric')} acid…"
    assert highlighted(excerpt) == Markup(
        "Descale the <mark>kettle</mark> with <mark>citric</mark> acid…"
    )


def test_an_excerpt_without_marks_is_escaped_text() -> None:
    assert highlighted("fish & <chips>") == Markup("fish &amp; &lt;chips&gt;")
    assert highlighted("") == Markup("")


@pytest.mark.parametrize("payload", RAW_HTML)
def test_html_in_a_post_never_becomes_markup(payload: str) -> None:
    page = str(highlighted(f"before {marked(payload)} after {payload}"))
    assert "<" not in page.replace("<mark>", "").replace("</mark>", "")
    assert page.count("<mark>") == page.count("</mark>") == 1


@pytest.mark.parametrize(
    "excerpt",
    [
        f"stray {MARK_START} start",
        f"stray {MARK_END} end",
        f"{MARK_END}backwards{MARK_START}",
        f"{MARK_START}{MARK_START}nested{MARK_END}{MARK_END}",
        f"{MARK_START}{MARK_END}",
    ],
)
def test_stray_marks_are_dropped_and_pairs_stay_balanced(excerpt: str) -> None:
    page = str(highlighted(excerpt))
    assert MARK_START not in page and MARK_END not in page
    assert page.count("<mark>") == page.count("</mark>") <= 1
    assert "<mark></mark>" not in page


def test_a_marked_word_is_escaped_inside_its_mark() -> None:
    assert highlighted(marked("<b>&")) == Markup("<mark>&lt;b&gt;&amp;</mark>")


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("Start **here** and __there__.", "Start here and there."),
        ("Use `pip` and ~~never~~ this.", "Use pip and never this."),
        ('[the docs](https://example.org/x "Docs") say', "the docs say"),
        ("![a kettle](https://example.org/k.png) here", "a kettle here"),
        ("# Title\n> quoted\n- item\n2. second", "Title quoted item second"),
        (f"a **{MARK_START}bold{MARK_END}** word", f"a {MARK_START}bold{MARK_END} word"),
        ("2 * 3 = 6 and a-b", "2 * 3 = 6 and a-b"),
    ],
)
def test_markdown_reads_as_plain_text(source: str, text: str) -> None:
    assert readable(source) == text

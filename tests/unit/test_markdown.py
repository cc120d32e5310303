"""The Markdown renderer: inert output for hostile posts, the features, quotes and excerpts."""

from __future__ import annotations

import functools
import gc
import html
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from forumapp.forum.forms import CONTENT_MAX_LENGTH
from forumapp.forum.markdown import (
    MAX_LINK_CHARACTERS,
    MAX_TABLE_CELLS,
    QUOTE_CUT_MARK,
    QUOTE_MAX_CHARS,
    RENDERER_VERSION,
    plain_text,
    quote_markdown,
    references,
    render_markdown,
    text_of_html,
)
from forumapp.forum.syntax import TOKEN_CLASSES
from tests.unit.xss_corpus import PAYLOADS

# Written out again rather than imported, so a widened allow-list in the module fails here.
TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "th": {"class"},
    "td": {"class"},
    "span": {"class"},
}
SCHEMES = {"href": ("http:", "https:", "mailto:"), "src": ("http:", "https:")}
INERT_ATTRIBUTES = {"title", "alt"}
REL = "nofollow ugc noopener"
_SPACE_AND_CONTROLS = re.compile(r"[\x00-\x20\x7f-\x9f]")


@dataclass
class Inspection:
    """What an HTML parser saw in rendered output."""

    tags: list[str] = field(default_factory=list)
    attributes: list[tuple[str, str, str | None]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)


class Inspector(HTMLParser):
    """Collects every tag, attribute and piece of text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen = Inspection()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.tags.append(tag)
        self.seen.attributes.extend((tag, name, value) for name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        self.seen.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.seen.texts.append(data)

    def handle_comment(self, data: str) -> None:
        self.seen.markup.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.seen.markup.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.seen.markup.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.seen.markup.append(f"<![{data}]>")


def inspect(fragment: str) -> Inspection:
    parser = Inspector()
    parser.feed(fragment)
    parser.close()
    return parser.seen


def url_is_allowed(attribute: str, value: str) -> bool:
    # Browsers ignore spaces, tabs, newlines and controls around and inside a scheme.
    normalized = _SPACE_AND_CONTROLS.sub("", html.unescape(value)).lower()
    if attribute == "href" and normalized.startswith("/") and normalized[1:2] not in ("/", "\\"):
        # A path of this site (a mention's profile link, a quote's permalink): a browser
        # reads no other host into it.
        return normalized == value.lower()
    return normalized.startswith(SCHEMES[attribute])


def assert_inert(rendered: str, source: str) -> None:
    seen = inspect(rendered)
    assert set(seen.tags) <= TAGS, source
    assert not seen.markup, source
    for tag, name, value in seen.attributes:
        assert name in ATTRIBUTES.get(tag, set()), (source, tag, name)
        assert not name.startswith("on"), source
        if name == "class":
            # Only the token classes of highlighted code, one per span, and table alignment.
            allowed = (
                TOKEN_CLASSES if tag == "span" else {"align-left", "align-center", "align-right"}
            )
            assert value in allowed, (source, value)
        if name in SCHEMES:
            assert value is not None, source
            assert url_is_allowed(name, value), (source, value)
    assert "<script" not in rendered.lower(), source
    # Dangerous words may only be shown as text: as many in the unescaped output as in its text.
    shown = "\0".join(
        seen.texts + [value or "" for _, name, value in seen.attributes if name in INERT_ATTRIBUTES]
    ).lower()
    for word in ("javascript:", "onerror=", "<script"):
        assert html.unescape(rendered).lower().count(word) == shown.count(word), (source, word)


def test_the_corpus_is_large_and_has_no_duplicates() -> None:
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("source", PAYLOADS)
def test_payloads_render_inert(source: str) -> None:
    assert_inert(render_markdown(source), source)


@pytest.mark.parametrize("source", PAYLOADS)
def test_quoted_payloads_render_inert(source: str) -> None:
    assert_inert(render_markdown(quote_markdown(source, source)), source)


def test_the_inspector_catches_what_it_must() -> None:
    with pytest.raises(AssertionError):
        assert_inert('<a href=" java\tscript:alert(1)">x</a>', "self-test")
    with pytest.raises(AssertionError):
        assert_inert('<img src="mailto:a@example.com">', "self-test")
    with pytest.raises(AssertionError):
        assert_inert('<p onclick="alert(1)">x</p>', "self-test")


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown("<b>hi</b> & <i>") == "<p>&lt;b&gt;hi&lt;/b&gt; &amp; &lt;i&gt;</p>\n"


def test_emphasis_headings_and_breaks() -> None:
    rendered = render_markdown("# Title\n\n*a* **b** ***c***  \nnext")
    assert "<h1>Title</h1>" in rendered
    assert "<em>a</em> <strong>b</strong> <em><strong>c</strong></em><br>" in rendered


def test_links_get_rel_nofollow_ugc_noopener() -> None:
    assert render_markdown('[x](https://example.com/ "T")') == (
        f'<p><a href="https://example.com/" title="T" rel="{REL}">x</a></p>\n'
    )


def test_bare_urls_and_emails_are_linkified() -> None:
    rendered = render_markdown(
        "see https://example.com/a?b=1&c=2, www.example.org or a@example.com"
    )
    assert (
        f'<a href="https://example.com/a?b=1&amp;c=2" rel="{REL}">'
        "https://example.com/a?b=1&amp;c=2</a>" in rendered
    )
    assert f'<a href="http://www.example.org" rel="{REL}">www.example.org</a>' in rendered
    assert f'<a href="mailto:a@example.com" rel="{REL}">a@example.com</a>' in rendered


def test_mailto_links_are_kept() -> None:
    rendered = render_markdown("[write](mailto:a@example.com)")
    assert f'<a href="mailto:a@example.com" rel="{REL}">write</a>' in rendered


@pytest.mark.parametrize(
    "source",
    [
        "[x](/t/1)",
        "[x](t/1)",
        "[x](../t/1)",
        "[x](#top)",
        "[x](//evil.example/)",
        "[x](ftp://example.com/)",
    ],
)
def test_relative_and_other_scheme_links_lose_their_href(source: str) -> None:
    assert render_markdown(source) == f'<p><a rel="{REL}">x</a></p>\n'


def test_https_images_are_kept_and_others_lose_their_src() -> None:
    kept = render_markdown('![a cat](https://example.com/cat.png "Tom")')
    assert '<img src="https://example.com/cat.png" alt="a cat" title="Tom">' in kept
    for source in ("![a](mailto:a@example.com)", "![a](data:image/png;base64,iVBORw0KGgo=)"):
        assert render_markdown(source) == '<p><img alt="a"></p>\n'


def test_tables_render_with_head_body_and_safe_alignment() -> None:
    rendered = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert "<thead>" in rendered
    assert "<tbody>" in rendered
    assert '<th class="align-left">a</th>' in rendered
    assert '<td class="align-center">2</td>' in rendered
    assert '<td class="align-right">3</td>' in rendered
    assert "style" not in rendered


def test_strikethrough() -> None:
    assert render_markdown("~~gone~~") in ("<p><s>gone</s></p>\n", "<p><del>gone</del></p>\n")


def test_fenced_code_keeps_its_content_escaped() -> None:
    # No language named: the code as written, escaped (tests/unit/test_highlight.py has
    # the highlighted kind).
    rendered = render_markdown("```\nif a < b and c > d:\n    print('<script>&')\n```")
    assert rendered == (
        "<pre><code>if a &lt; b and c &gt; d:\n    print('&lt;script&gt;&amp;')\n</code></pre>\n"
    )


def test_blockquotes_lists_and_rules() -> None:
    rendered = render_markdown("> quoted\n\n- one\n- two\n\n1. first\n\n---")
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in rendered
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in rendered
    assert "<ol>\n<li>first</li>\n</ol>" in rendered
    assert "<hr>" in rendered


def test_nesting_deeper_than_the_limit_is_dropped_not_crashed() -> None:
    assert "shallow" in render_markdown(">" * 10 + " shallow")
    assert "deep" not in render_markdown(">" * 25 + " deep")


def test_tables_share_a_cell_budget() -> None:
    header = "|" + "h|" * 100 + "\n|" + "-|" * 100 + "\n"
    rendered = render_markdown((header + "x\n" * 1_000 + "\n") * 5)
    cells = rendered.count("<td>") + rendered.count("<th>")
    assert MAX_TABLE_CELLS - 100 < cells <= MAX_TABLE_CELLS


def test_reference_links_share_a_character_budget() -> None:
    url = "https://example.com/" + "a" * 980
    rendered = render_markdown(f"[a]: {url}\n\n" + "[a] " * 1_000)
    assert rendered.count(url) == MAX_LINK_CHARACTERS // len(url)
    assert rendered.count("<a ") == 1_000
    assert len(rendered) < 2 * MAX_LINK_CHARACTERS


def test_the_renderer_version_is_a_positive_integer() -> None:
    assert isinstance(RENDERER_VERSION, int)
    assert RENDERER_VERSION >= 1


def test_quote_has_the_agreed_format() -> None:
    # Code that finds quotes in posts reads this exact shape: keep it.
    assert quote_markdown("alice", "Hello\r\nworld\n\n> earlier\n", "/post/123") == (
        "> **[alice](/post/123) wrote:**\n> \n> Hello\n> world\n> \n> > earlier\n\n"
    )


def test_a_quote_without_a_permalink_names_the_author() -> None:
    assert quote_markdown("alice", "Hi").startswith("> **alice wrote:**\n")


def test_a_quote_renders_as_one_blockquote_and_the_reply_stays_outside() -> None:
    source = quote_markdown("alice", "Hello *world*\n\n```\ncode\n```", "/post/7")
    assert render_markdown(source + "my reply") == (
        f'<blockquote>\n<p><strong><a href="/post/7" rel="{REL}">alice</a> wrote:</strong></p>\n'
        "<p>Hello <em>world</em></p>\n"
        "<pre><code>code\n</code></pre>\n</blockquote>\n<p>my reply</p>\n"
    )


def test_the_author_name_is_not_markdown() -> None:
    rendered = render_markdown(quote_markdown("bob_*x*_[y](javascript:z)\n#", "hi", "/post/1"))
    assert f'<a href="/post/1" rel="{REL}">bob_*x*_[y](javascript:z) #</a> wrote:' in rendered


@pytest.mark.parametrize(
    ("name", "written"), [("john_doe", "john_doe"), ("a.b-c", "a.b-c"), ("x_1_", "x_1\\_")]
)
def test_usernames_stay_as_written_in_the_quote_line(name: str, written: str) -> None:
    # Only an underscore that could start or end emphasis is escaped.
    first_line = quote_markdown(name, "hi", "/post/1").split("\n")[0]
    assert first_line == f"> **[{written}](/post/1) wrote:**"
    assert f">{name}</a>" in render_markdown(quote_markdown(name, "hi", "/post/1"))


def test_a_long_post_is_quoted_up_to_a_paragraph_break() -> None:
    first = "word " * 200
    source = f"{first.strip()}\n\n{'more ' * 400}"
    quoted = quote_markdown("alice", source, "/post/1")
    assert quoted.endswith(f"> {first.strip()}\n> \n> {QUOTE_CUT_MARK}\n\n")
    assert len(quoted) < QUOTE_MAX_CHARS + 100


def test_a_long_paragraph_is_quoted_up_to_a_word() -> None:
    quoted = quote_markdown("alice", "abcdefghi " * 400, "/post/1")
    body = quoted.split("\n")[2]
    assert body.endswith("abcdefghi") and len(body) <= QUOTE_MAX_CHARS + 2


def test_only_permalinks_are_kept_among_relative_links() -> None:
    assert f'<a href="/post/12" rel="{REL}">x</a>' in render_markdown("[x](/post/12)")
    for source in ("[x](/post/12/../../admin)", "[x](/post/1:x)", "[x](/posts/1)", "[x](post/1)"):
        assert render_markdown(source) == f'<p><a rel="{REL}">x</a></p>\n'


def test_plain_text_strips_markup_and_collapses_whitespace() -> None:
    source = "# Title\n\nSome **bold**\ntext &amp; `<b>code</b>`\n\n- one\n- two"
    assert plain_text(source) == "Title Some bold text & <b>code</b> one two"


def test_plain_text_keeps_short_text_whole() -> None:
    assert plain_text("one two three", limit=13) == "one two three"


@pytest.mark.parametrize(
    ("limit", "excerpt"),
    [(12, "one two…"), (10, "one two…"), (8, "one two…"), (7, "one…"), (2, "o…"), (1, "…")],
)
def test_plain_text_cuts_at_a_word_boundary(limit: int, excerpt: str) -> None:
    assert plain_text("one two three", limit=limit) == excerpt


def test_plain_text_cuts_a_single_long_word() -> None:
    assert plain_text("x" * 300) == "x" * 199 + "…"


def test_plain_text_refuses_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="limit"):
        plain_text("text", limit=0)


# markdown-it-py is linear but slow on the worst inputs (up to ~25 µs a character or line),
# so these stay within the post form's 50,000-character cap; only benign text goes to 1 MB.
_N = 50_000
HOSTILE_SOURCES = {
    "1 MB of prose": ("lorem ipsum dolor sit amet " * 40_000)[:1_000_000],
    "1 MB without spaces": "a" * 1_000_000,
    "many short lines": "a\n" * (_N // 2),
    "10,000 >": ">" * 10_000 + " deep",
    "10,000 > with spaces": "> " * 10_000 + "deep",
    "10,000 list markers": "- " * 10_000 + "deep",
    "10,000 ordered markers": "1. " * 10_000 + "deep",
    "indented list ladder": "\n".join("  " * i + "- x" for i in range(1_000)),
    "quote ladder": "\n".join(">" * i + " x" for i in range(1_000)),
    "emphasis openers": "*a" * (_N // 2),
    "emphasis runs": "**" * (_N // 2) + "a",
    "mixed delimiters": "*_~" * (_N // 3),
    "brackets": "[" * _N,
    "image openers": "![" * (_N // 2),
    "nested links": "[" * (_N // 8) + "a" + "](b)" * (_N // 8),
    "backtick runs": "".join("`" * i + " " for i in range(1, 250)),
    "angle brackets": "<a" * (_N // 2),
    "entities": "&#" * (_N // 2),
    "linkify dots": "a." * (_N // 2),
    "linkify urls": "http://a.example/" * (_N // 17),
    "table cell bomb": ("|" + "a|" * 181 + "\n|" + "-|" * 181 + "\n" + "x\n" * 400 + "\n") * 20,
    "wide table": "|"
    + "a|" * 5_000
    + "\n|"
    + "-|" * 5_000
    + "\n"
    + ("|" + "b|" * 5_000 + "\n") * 3,
}


@pytest.mark.parametrize("source", HOSTILE_SOURCES.values(), ids=HOSTILE_SOURCES.keys())
def test_hostile_inputs_render_quickly(source: str) -> None:
    # CPU time, not wall time: other processes on a loaded machine must not fail this.
    # A quadratic path on inputs this size takes minutes, so the budget can be generous.
    started = time.process_time()
    render_markdown(source)
    assert time.process_time() - started < 5


def _cpu_seconds(source: str, runs: int) -> float:
    # The fastest of a few runs: the others paid for whatever else the machine was doing.
    # A collection before each run, so that no run pays for the garbage of the one before.
    fastest = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.process_time()
        render_markdown(source)
        fastest = min(fastest, time.process_time() - started)
    return fastest


@functools.cache
def _plain_body_seconds(size: int) -> float:
    return _cpu_seconds(("lorem ipsum dolor sit amet " * (size // 27 + 1))[:size], runs=5)


# Characters that start, continue or end links for linkify-it, and the line breaks and
# emphasis that cut a paragraph into many text tokens.
LINK_ALPHABET = "acehlmopstwx1:/.@()[]{}\"'-_*&\n \\"
# Eight times the text costs about eight times the time when rendering is linear (7.7 to
# 10.2 measured for every family below) and 22 to 60 times on the quadratic paths that
# were fixed. This ratio depends on the algorithm, not on the machine.
GROWTH_LIMIT = 16
# The cheapest bodies of this alphabet cost up to ~55 plain ones on one machine and ~115 on
# another (one link every 5 characters: tokens, URL normalizing, sanitizing): a loose
# bound on the constant, while the growth above is what tells linear from quadratic.
PLAIN_COST_LIMIT = 250


def _body_of(token: str, size: int) -> str:
    return (token * (size // len(token) + 1))[:size]


@settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(st.text(alphabet=LINK_ALPHABET, min_size=1, max_size=12))
# One family per quadratic path found: the scheme search and copy before each "://", a
# bracket in a URL path read to the end of the post, a paragraph's tokens rebuilt per link.
@example("a://")
@example("://")
@example("ab1+://")
@example("http://a.b/(")
@example("http://a.com/[")
@example("www.a.com/{")
@example("a.com/(")
@example("(a.com")
@example("x.co\n")
@example("x@a.co\n")
@example("x://a.com/&")
def test_linkifying_costs_time_linear_in_the_post_size(token: str) -> None:
    plain = _plain_body_seconds(CONTENT_MAX_LENGTH)
    full = _cpu_seconds(_body_of(token, CONTENT_MAX_LENGTH), runs=2)
    assert full / plain < PLAIN_COST_LIMIT, (token, full / plain)
    if full > plain:
        # Bodies cheaper than plain text (blank lines, say) take too little time to measure
        # growth on; they threaten nothing.
        eighth = _cpu_seconds(_body_of(token, CONTENT_MAX_LENGTH // 8), runs=3)
        assert full / eighth < GROWTH_LIMIT, (token, full / eighth)


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("see http://a.example/(x) and", "http://a.example/(x)"),
        ("see https://en.wikipedia.org/wiki/Go_(game).", "https://en.wikipedia.org/wiki/Go_(game)"),
        ("see https://a.example/p?q[]=1&r={2}", "https://a.example/p?q%5B%5D=1&amp;r=%7B2%7D"),
        ("**https://a.example/x**", "https://a.example/x"),
        ("mailto:a@b.example", "mailto:a@b.example"),
        ("x.co\ny.co", "http://x.co"),
        ("x.co\ny.co", "http://y.co"),
    ],
)
def test_links_with_brackets_and_on_many_lines_are_still_linkified(source: str, link: str) -> None:
    assert f'href="{link}"' in render_markdown(source)


@pytest.mark.parametrize("source", ["ftp://a.example/x", "//a.example/x", "http\\://a.example"])
def test_links_the_sanitizer_would_empty_stay_text(source: str) -> None:
    assert "<a" not in render_markdown(source)


def test_text_of_stored_html_is_the_plain_text_of_its_source() -> None:
    source = "# Title\n\nSome **bold** text &amp; `<b>code</b>`\n\n- one\n- two"
    assert text_of_html(render_markdown(source)) == plain_text(source)


def test_text_of_html_cut_short_mid_tag_keeps_the_text_before_it() -> None:
    html = render_markdown("First paragraph.\n\n[a link](https://example.org/x) after")
    cut = html[: html.index("href") + 8]
    assert text_of_html(cut) == "First paragraph."


def test_a_mention_links_to_the_profile_outside_words_code_and_links() -> None:
    rendered = render_markdown("Hi @alice. Mail bob@example.org, `@code`, [@bob](https://x.org)")
    assert f'<a href="/user/alice" rel="{REL}">@alice</a>.' in rendered
    assert "/user/bob" not in rendered and "/user/code" not in rendered


def test_references_name_mentions_and_quoted_posts_from_the_tokens() -> None:
    source = (
        "> **[alice](/post/12) wrote:**\n> as @carol said\n\n"
        "@bob, @Dave- and @bob again. `@code` \\@escaped [see](/post/13)"
    )
    found = references(source)
    assert found.mentions == ("bob", "Dave")  # a quoted mention was the quoted post's
    assert found.quoted_posts == (12,)  # a link outside a quotation is no quote

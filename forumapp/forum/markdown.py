"""Markdown of forum posts: rendered to sanitized HTML, quoted for replies, cut into excerpts."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import table as gfm_table
from markdown_it.rules_core import StateCore

from forumapp.text import is_blank

#: Bump whenever the HTML for the same source changes, so stored renderings get redone.
RENDERER_VERSION = 1

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
        "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = ("http:", "https:")
_ALIGNMENTS = {"left", "center", "right"}
_CELL_ALIGNMENT = {"th": {"align": _ALIGNMENTS}, "td": {"align": _ALIGNMENTS}}
_LINK_REL = "nofollow ugc noopener"
_ASCII_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")

#: Table cells one post may make. markdown-it pads short rows to the header's width, so
#: without a budget a few kilobytes of pipes cost seconds of CPU and megabytes of HTML.
MAX_TABLE_CELLS = 10_000
_CELLS_LEFT = "forumapp_table_cells_left"


def _table_within_budget(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if not gfm_table(state, start_line, end_line, True):
        return False
    delimiter = start_line + 1
    delimiter_row = state.src[
        state.bMarks[delimiter] + state.tShift[delimiter] : state.eMarks[delimiter]
    ]
    width = sum(1 for cell in delimiter_row.split("|") if cell.strip())
    cells_left: int = state.env.get(_CELLS_LEFT, MAX_TABLE_CELLS)
    body_rows = cells_left // width - 1
    if body_rows < 0:
        return False
    if silent:
        return True
    # Rows past the budget are left to the following rules: they become a paragraph.
    gfm_table(state, start_line, min(end_line, start_line + 2 + body_rows), False)
    rows = state.line - start_line - 1
    state.env[_CELLS_LEFT] = cells_left - rows * width
    return True


#: Characters of link and image URLs and titles one post may make. A reference link repeats
#: its definition's URL at every use: without a budget 50 kB of "[a]" make 30 MB of HTML.
MAX_LINK_CHARACTERS = 100_000
_LINK_ATTRIBUTES = ("href", "src", "title")


def _links_within_budget(state: StateCore) -> None:
    left = MAX_LINK_CHARACTERS
    for block in state.tokens:
        for token in block.children or ():
            if token.type not in ("link_open", "image"):
                continue
            size = sum(len(str(token.attrs.get(name, ""))) for name in _LINK_ATTRIBUTES)
            if size > left:
                # Past the budget a link keeps its text and loses where it points.
                for name in _LINK_ATTRIBUTES:
                    token.attrs.pop(name, None)
            else:
                left -= size


def _align_cells_without_style(state: StateCore) -> None:
    # markdown-it aligns table cells with style="text-align:…"; an ``align`` attribute says
    # the same without letting any style attribute through the sanitizer.
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and "style" in token.attrs:
            style = str(token.attrs.pop("style"))
            token.attrs["align"] = style.removeprefix("text-align:")


def _build_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    parser.enable(["table", "strikethrough", "linkify"])
    parser.block.ruler.at("table", _table_within_budget, {"alt": ["paragraph", "reference"]})
    parser.core.ruler.push("align_cells_without_style", _align_cells_without_style)
    parser.core.ruler.push("links_within_budget", _links_within_budget)
    return parser


_parser = _build_parser()


def _image_source_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.lower().startswith(IMAGE_SCHEMES):
        return None
    return value


def render_markdown(source: str) -> str:
    """Safe HTML for a post body; raw HTML in ``source`` is shown as text, never passed on."""
    return nh3.clean(
        _parser.render(source),
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=_CELL_ALIGNMENT,
        attribute_filter=_image_source_filter,
        url_schemes=set(LINK_SCHEMES),
        # Relative URLs include "//evil.example", which url_schemes alone lets through.
        url_relative="deny",
        link_rel=_LINK_REL,
    )


def shows_nothing(source: str) -> bool:
    """Whether a post written as ``source`` would show nothing: no visible character
    once rendered (``&nbsp;`` counts as the space it stands for), no image, no rule."""
    if is_blank(source):
        return True
    rendered = render_markdown(source)
    if "<img" in rendered or "<hr" in rendered:
        return False
    return is_blank(html.unescape(nh3.clean(rendered, tags=set())))


def quote_markdown(author: str, source: str) -> str:
    """Markdown for a reply box that quotes ``source`` by ``author``, ready to type under."""
    name = _ASCII_PUNCTUATION.sub(r"\\\1", " ".join(author.split()))
    lines = source.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    # The blank line ends the quote: text typed right below it would otherwise continue
    # the quoted paragraph (a lazy continuation line).
    return f"> **{name}** wrote:\n>\n{quoted}\n\n"


def plain_text(source: str, limit: int = 200) -> str:
    """A plain-text excerpt of at most ``limit`` characters, for feeds and search snippets.

    The result is text, not HTML: escape it like any other text when putting it in markup.
    """
    return text_of_html(_parser.render(source), limit)


def text_of_html(fragment: str, limit: int = 200) -> str:
    """The text of an HTML fragment (such as a post's stored rendering), as
    :func:`plain_text` cuts it. A fragment cut short mid-tag loses only that tag.

    Reading the stored HTML costs a fraction of rendering the Markdown source again.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " ":
        head = head.rpartition(" ")[0] or head
    return head.rstrip() + "…"

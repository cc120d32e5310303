"""Markdown of forum posts: rendered to sanitized HTML, quoted for replies, cut into excerpts."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

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
    parser.core.ruler.push("align_cells_without_style", _align_cells_without_style)
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
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = " ".join(html.unescape(nh3.clean(_parser.render(source), tags=set())).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " ":
        head = head.rpartition(" ")[0] or head
    return head.rstrip() + "…"

"""Search excerpts with the matching words marked, made safe to put in a page.

The database cuts the excerpt out of a post's Markdown source and wraps each matching
word in :data:`MARK_START` and :data:`MARK_END` (FTS5's ``snippet()``, PostgreSQL's
``ts_headline``). Those are control characters, which no post may hold, so they cannot
be typed in to fake a mark. :func:`highlighted` escapes everything else and turns only
well-formed pairs of them into ``<mark>`` elements; a stray one is dropped.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: Put around each matching word by the database (STX and ETX: refused in every post).
MARK_START = "\x02"
MARK_END = "\x03"
#: Where the database left text out of an excerpt.
ELLIPSIS = "…"

_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
_STRAY = re.compile(f"[{MARK_START}{MARK_END}]")
# The Markdown syntax that would read as noise in a line of plain text: images and links
# keep their text, emphasis and code lose their markers, block markers at line starts go.
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)")
_INLINE_MARKERS = re.compile(r"\*\*|__|`+|~~")
_LINE_MARKERS = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t>]*|[-*+][ \t]+|\d+[.)][ \t]+)", re.M)


def readable(excerpt: str) -> str:
    """``excerpt`` of Markdown source as one line of plain text, marks kept."""
    text = _IMAGE_OR_LINK.sub(r"\1", excerpt)
    text = _LINE_MARKERS.sub("", text)
    text = _INLINE_MARKERS.sub("", text)
    return " ".join(text.split())


def highlighted(excerpt: str) -> Markup:
    """``excerpt`` escaped, with each marked word in ``<mark>`` and nothing else as markup."""
    pieces: list[str] = []
    position = 0
    for match in _MARKED.finditer(excerpt):
        pieces.append(escape(_STRAY.sub("", excerpt[position : match.start()])))
        if match.group(1):
            pieces.append(Markup("<mark>{}</mark>").format(match.group(1)))
        position = match.end()
    pieces.append(escape(_STRAY.sub("", excerpt[position:])))
    return Markup("").join(pieces)

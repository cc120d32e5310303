"""The picture of a member without an avatar: their initials on a colour of their own.

The colour comes from the member's id, so it never changes with their name, and every
colour of the palette keeps white text above WCAG's AA contrast (4.5:1).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

#: Background colours, each with at least 4.5:1 contrast against :data:`TEXT_COLOUR`.
PALETTE = (
    "#1f5f99",
    "#8a3b12",
    "#2e6b30",
    "#6b3fa0",
    "#a1283c",
    "#0f6b6b",
    "#5c5c1f",
    "#8f2f7a",
    "#3d4f7a",
    "#7a4a00",
    "#4a5560",
    "#b3261e",
)
TEXT_COLOUR = "#ffffff"
#: What an initials picture may hold: one or two capital letters or digits.
INITIALS = re.compile(r"[A-Z0-9]{1,2}")


def initials_of(name: str) -> str:
    """Up to two initials of a username: ``ann`` → ``A``, ``ann_lee`` → ``AL``."""
    words = [word for word in re.split(r"[^A-Za-z0-9]+", name) if word]
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "X"


def colour_of(user_id: int) -> str:
    """The background colour of member ``user_id``."""
    return PALETTE[user_id % len(PALETTE)]


def initials_svg(user_id: int, initials: str) -> str:
    """A square SVG of ``initials`` (checked against :data:`INITIALS`) on the member's
    colour."""
    if not INITIALS.fullmatch(initials):
        raise ValueError(f"{initials!r} are not initials")
    font_size = 44 if len(initials) == 1 else 36
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img">'
        f'<rect width="100" height="100" fill="{colour_of(user_id)}"/>'
        f'<text x="50" y="50" dy="0.35em" text-anchor="middle" fill="{TEXT_COLOUR}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{font_size}" font-weight="600">{escape(initials)}</text></svg>'
    )

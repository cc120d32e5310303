"""Checks on text that people submit, shared by the web forms and the JSON API."""

from __future__ import annotations

import unicodedata

CONTROL_CHARACTERS = "Remove the control characters from this field."
#: Line breaks and tabs are ordinary text in a multi-line field.
MULTILINE_WHITESPACE = frozenset("\t\n\r")


def has_control_characters(value: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether ``value`` holds control characters (or lone surrogates) not in ``allowed``.

    They are never legitimate in a username, title or message, and some databases refuse
    them outright.
    """
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in value)

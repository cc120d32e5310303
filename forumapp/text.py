"""Checks on text that people submit, shared by the web forms and the JSON API."""

from __future__ import annotations

import re
import unicodedata

from forumapp.lazy_text import lazy_gettext as _l

CONTROL_CHARACTERS = _l("Remove the control characters from this field.")
#: Line breaks and tabs are ordinary text in a multi-line field.
MULTILINE_WHITESPACE = frozenset("\t\n\r")


def has_control_characters(value: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether ``value`` holds control characters (or lone surrogates) not in ``allowed``.

    They are never legitimate in a username, title or message, and some databases refuse
    them outright.
    """
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in value)


#: A regular-expression class (the same in Python and in JSON Schema's ECMA-262 dialect)
#: of the characters that show nothing: Unicode's whitespace, and the format and filler
#: characters that render as nothing, such as zero-width spaces and joiners, direction
#: marks, the byte order mark, the soft hyphen, Hangul fillers and the blank braille cell.
BLANK_CLASS = (
    r" \t\n\v\f\r\x85\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000"
    r"\ufeff\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\uffa0"
    r"\ufe00-\ufe0f"
)
#: Control characters as a regular-expression class (lone surrogates cannot be written in
#: one; :func:`has_control_characters` refuses those too).
CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f"
#: The same without the tab and line breaks of a multi-line field.
MULTILINE_CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
NOTHING_VISIBLE = _l("Write something visible: this shows nothing.")

_VISIBLE_CHARACTER = re.compile(f"[^{BLANK_CLASS}]")


def is_blank(value: str) -> bool:
    """Whether ``value`` shows nothing at all (see :data:`BLANK_CLASS`): a title or a
    message made of such characters is empty however long it is."""
    return _VISIBLE_CHARACTER.search(value) is None


def visible_text_pattern(control_class: str) -> str:
    """A JSON Schema ``pattern`` for text with at least one visible character and no
    character of ``control_class``, as :func:`is_blank` and
    :func:`has_control_characters` check it."""
    return f"^[^{control_class}]*[^{control_class}{BLANK_CLASS}][^{control_class}]*$"

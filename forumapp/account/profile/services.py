"""Reading and saving a member's profile, free of any request.

"About" and the signature are Markdown, rendered and sanitized exactly like posts (by
:func:`forumapp.forum.markdown.render_markdown`) once, when saved: pages show the stored
HTML and never render on the read path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import LazyString

from forumapp.account.members import member
from forumapp.forum.errors import InvalidInput
from forumapp.forum.markdown import render_markdown
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession, atomic
from forumapp.text import CONTROL_CHARACTERS, MULTILINE_WHITESPACE, has_control_characters
from forumapp.users.models import (
    DISPLAY_NAME_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    WEBSITE_MAX_LENGTH,
)

ABOUT_MAX_LENGTH = 5000
SIGNATURE_MAX_LENGTH = 500
#: The longest each field may be, in characters.
MAX_LENGTHS = {
    "display_name": DISPLAY_NAME_MAX_LENGTH,
    "about": ABOUT_MAX_LENGTH,
    "location": LOCATION_MAX_LENGTH,
    "website": WEBSITE_MAX_LENGTH,
    "signature": SIGNATURE_MAX_LENGTH,
}
#: Fields where line breaks and tabs are ordinary text.
MULTILINE_FIELDS = frozenset({"about", "signature"})
WEBSITE_SCHEME = _l(
    "Enter a web address starting with http:// or https://, such as https://example.org."
)


def too_long(limit: int) -> LazyString:
    """The message for a field longer than ``limit`` characters."""
    return _l("Use at most %(num)s characters.", num=limit)


@dataclass(frozen=True)
class ProfileText:
    """What a member writes on their profile (Markdown sources, not the rendered HTML)."""

    display_name: str = ""
    about: str = ""
    location: str = ""
    website: str = ""
    signature: str = ""


def profile_problems(text: ProfileText) -> list[tuple[str, str]]:
    """Why each field of ``text`` is refused, as ``(field, reason)`` pairs."""
    problems = []
    for field, limit in MAX_LENGTHS.items():
        value: str = getattr(text, field)
        allowed = MULTILINE_WHITESPACE if field in MULTILINE_FIELDS else frozenset()
        if has_control_characters(value, allowed):
            problems.append((field, CONTROL_CHARACTERS))
        elif len(value) > limit:
            problems.append((field, too_long(limit)))
    if text.website and not _is_web_address(text.website):
        problems.append(("website", WEBSITE_SCHEME))
    return problems


def _is_web_address(value: str) -> bool:
    # Only http(s): a javascript: or data: link on a profile would run in the reader's
    # browser. Spaces and backslashes are how browsers get tricked into other hosts.
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(char.isspace() or char == "\\" for char in value)
    )


class ProfileService:
    """Reads and saves the profile of a member, given by id."""

    def __init__(self, session: DbSession, render: Callable[[str], str] = render_markdown) -> None:
        self._session = session
        self._render = render

    def profile_of(self, user_id: int) -> ProfileText:
        """The member's profile as they wrote it; :class:`NotFound` for no such member."""
        user = member(self._session, user_id)
        return ProfileText(
            user.display_name, user.about, user.location, user.website, user.signature
        )

    def save(self, user_id: int, text: ProfileText) -> None:
        """Store ``text`` with its rendered HTML; :class:`InvalidInput` names the first
        refused field, and nothing is written then."""
        problems = profile_problems(text)
        if problems:
            raise InvalidInput(*problems[0])
        user = member(self._session, user_id)
        # Rendering can take a while: before the transaction, not inside it.
        about_html = self._render(text.about) if text.about.strip() else ""
        signature_html = self._render(text.signature) if text.signature.strip() else ""
        with atomic(self._session):
            user.display_name = text.display_name
            user.about, user.about_html = text.about, about_html
            user.location = text.location
            user.website = text.website
            user.signature, user.signature_html = text.signature, signature_html

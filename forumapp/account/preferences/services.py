"""Reading and saving a member's preferences (language, time zone, posts per page, the
new sign-in notice, the colour theme), free of any request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from forumapp.account.members import member
from forumapp.forum.errors import InvalidInput
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession, atomic

#: The page sizes a member may choose for topic pages.
PAGE_SIZES = (10, 20, 30, 50)
UNKNOWN_LANGUAGE = _l("Choose one of the languages in the list.")
UNKNOWN_TIMEZONE = _l("Choose a time zone from the list, such as Europe/Paris.")
UNKNOWN_PAGE_SIZE = _l("Choose one of the page sizes in the list.")
UNKNOWN_THEME = _l("Choose one of the themes in the list.")
#: The colour themes and their names; "auto" follows the system's light or dark setting.
THEMES = {"auto": _l("As my system is set"), "light": _l("Light"), "dark": _l("Dark")}


@dataclass(frozen=True)
class PreferenceChoices:
    """What a member may choose from, and what applies when they choose nothing."""

    #: Language codes and their names (``LANGUAGES``).
    languages: Mapping[str, str]
    #: IANA time zone names.
    timezones: frozenset[str]
    #: ``DEFAULT_TIMEZONE``.
    default_timezone: str
    #: ``POSTS_PER_PAGE``: the page size of members who keep the site's.
    default_page_size: int
    page_sizes: tuple[int, ...] = PAGE_SIZES


@dataclass(frozen=True)
class Preferences:
    """A member's choices; ``posts_per_page`` is ``None`` to follow the site's setting."""

    language: str
    timezone: str
    posts_per_page: int | None
    #: Whether a login from a new device emails the member.
    notify_new_sign_in: bool = True
    #: Whether members who are not staff may start private conversations with them.
    messages_from_members: bool = True
    #: Whether a new private message emails the member.
    message_emails: bool = True
    #: One of :data:`THEMES`.
    theme: str = "auto"


class PreferencesService:
    """Reads and saves the preferences of a member, given by id, among ``choices``."""

    def __init__(self, session: DbSession, choices: PreferenceChoices) -> None:
        self._session = session
        self.choices = choices

    def preferences_of(self, user_id: int) -> Preferences:
        """The member's preferences, with the site's time zone where they chose none."""
        user = member(self._session, user_id)
        return Preferences(
            user.language,
            user.timezone or self.choices.default_timezone,
            user.posts_per_page,
            user.notify_new_sign_in,
            user.messages_from_members,
            user.message_emails,
            user.theme,
        )

    def save(self, user_id: int, preferences: Preferences) -> None:
        """Store ``preferences``; :class:`InvalidInput` names a value not among the
        choices, and nothing is written then."""
        self._check(preferences)
        user = member(self._session, user_id)
        with atomic(self._session):
            user.language = preferences.language
            user.timezone = preferences.timezone
            user.posts_per_page = preferences.posts_per_page
            user.notify_new_sign_in = preferences.notify_new_sign_in
            user.messages_from_members = preferences.messages_from_members
            user.message_emails = preferences.message_emails
            user.theme = preferences.theme

    def _check(self, preferences: Preferences) -> None:
        if preferences.language not in self.choices.languages:
            raise InvalidInput("language", UNKNOWN_LANGUAGE)
        if preferences.timezone not in self.choices.timezones:
            raise InvalidInput("timezone", UNKNOWN_TIMEZONE)
        size = preferences.posts_per_page
        if size is not None and size not in self.choices.page_sizes:
            raise InvalidInput("posts_per_page", UNKNOWN_PAGE_SIZE)
        if preferences.theme not in THEMES:
            raise InvalidInput("theme", UNKNOWN_THEME)

"""The language menu's one job: check the language picked and keep a member's choice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from forumapp.forum.errors import InvalidInput
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import Transaction, atomic

UNKNOWN_LANGUAGE = _l("Choose one of the languages in the list.")


class MemberLanguages(Protocol):
    """Where a member's language preference is stored; writes join the unit of work."""

    def set_language(self, user_id: int, code: str) -> None: ...


class LanguageChoice:
    """Accepts a language from the menu: a guest's is kept by the browser (a cookie the view
    sets), a member's is stored as their preference as well, so it follows them."""

    def __init__(
        self, members: MemberLanguages, transaction: Transaction, offered: Mapping[str, str]
    ) -> None:
        self._members = members
        self._transaction = transaction
        self._offered = offered

    def choose(self, user_id: int | None, code: str) -> str:
        """The language to use from now on; :class:`InvalidInput` for one not offered."""
        if code not in self._offered:
            raise InvalidInput("language", UNKNOWN_LANGUAGE)
        if user_id is not None:
            with atomic(self._transaction):
                self._members.set_language(user_id, code)
        return code

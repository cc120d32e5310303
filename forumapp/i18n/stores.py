"""Members' language preferences in forumapp's ``users`` table."""

from __future__ import annotations

from sqlalchemy import update

from forumapp.persistence import DbSession
from forumapp.users.models import User


class SqlMemberLanguages:
    """Stores a member's language on their row."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def set_language(self, user_id: int, code: str) -> None:
        """Set the language of member ``user_id`` (in the caller's transaction)."""
        self._session.execute(update(User).where(User.id == user_id).values(language=code))

"""Avatar keys on forumapp's ``users`` table."""

from __future__ import annotations

from sqlalchemy import select, update

from forumapp.forum.errors import NotFound
from forumapp.persistence import DbSession
from forumapp.users.models import User


class SqlAvatarKeys:
    """``users.avatar_key`` through a SQLAlchemy session."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def key_of(self, user_id: int) -> str | None:
        """The member's key; :class:`NotFound` if there is no such member."""
        row = self._session.execute(select(User.avatar_key).where(User.id == user_id)).first()
        if row is None:
            raise NotFound
        return row[0]

    def set_key(self, user_id: int, key: str | None) -> None:
        """Point the member's row at ``key``."""
        self._session.execute(update(User).where(User.id == user_id).values(avatar_key=key))

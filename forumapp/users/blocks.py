"""Members blocking members: the ``user_blocks`` table and :class:`BlockService`.

A block is one member's wish not to hear from another. Private messages refuse to carry
the blocked member's words to the blocker, and topic pages fold the blocked member's
posts away for the blocker; the blocked member is not told.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, SQLColumnExpression, delete, exists, select
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession, atomic, upsert
from forumapp.sqltypes import UTCDateTime
from forumapp.users.models import User, username_key

Clock = Callable[[], datetime]
CANNOT_BLOCK_SELF = _l("You cannot block yourself.")


class UserBlock(db.Model):  # type: ignore[name-defined,misc]
    """``blocker_id`` does not want to hear from ``blocked_id``."""

    __tablename__ = "user_blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: Indexed: "who blocked this sender" is asked on every message sent.
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def blocked_by(session: DbSession, blocker_id: int) -> frozenset[int]:
    """The ids of the members ``blocker_id`` blocked (one query)."""
    rows = session.scalars(select(UserBlock.blocked_id).where(UserBlock.blocker_id == blocker_id))
    return frozenset(rows)


def has_blocked(member_id: SQLColumnExpression[int], sender_id: int) -> ColumnElement[bool]:
    """SQL: whether the member whose id is ``member_id`` (a column of the enclosing
    query) blocked ``sender_id``; a correlated lookup of the primary key, whatever the
    number of members the query reads."""
    return exists(
        select(UserBlock.blocker_id).where(
            UserBlock.blocker_id == member_id, UserBlock.blocked_id == sender_id
        )
    )


def blockers_among(session: DbSession, sender_id: int, member_ids: set[int]) -> frozenset[int]:
    """Which of ``member_ids`` blocked ``sender_id`` (one query)."""
    if not member_ids:
        return frozenset()
    rows = session.scalars(
        select(UserBlock.blocker_id).where(
            UserBlock.blocked_id == sender_id, UserBlock.blocker_id.in_(member_ids)
        )
    )
    return frozenset(rows)


class BlockService:
    """Blocks and unblocks members by username, for the member given by id."""

    def __init__(self, session: DbSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def block(self, blocker_id: int, username: str) -> User:
        """Block the member called ``username`` (doing it twice changes nothing)."""
        target = self._member(username)
        if target.id == blocker_id:
            raise InvalidInput("username", CANNOT_BLOCK_SELF)
        with atomic(self._session):
            values = {
                "blocker_id": blocker_id,
                "blocked_id": target.id,
                "created_at": self._clock(),
            }
            upsert(
                self._session,
                UserBlock,
                values,
                conflict=("blocker_id", "blocked_id"),
                update=lambda _proposed: {"created_at": UserBlock.created_at},
            )
        return target

    def unblock(self, blocker_id: int, username: str) -> User:
        """Lift a block (lifting one that does not exist changes nothing)."""
        target = self._member(username)
        with atomic(self._session):
            self._session.execute(
                delete(UserBlock).where(
                    UserBlock.blocker_id == blocker_id, UserBlock.blocked_id == target.id
                )
            )
        return target

    def blocked(self, blocker_id: int) -> list[User]:
        """The members ``blocker_id`` blocked, by name."""
        return list(
            self._session.scalars(
                select(User)
                .join(UserBlock, UserBlock.blocked_id == User.id)
                .where(UserBlock.blocker_id == blocker_id)
                .order_by(User.username_key)
            )
        )

    def _member(self, username: str) -> User:
        user: User | None = self._session.scalar(
            select(User).where(User.username_key == username_key(username))
        )
        if user is None:
            raise NotFound
        return user

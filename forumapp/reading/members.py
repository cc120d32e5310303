"""The member list (``/members``): activated members, sorted and searched by name prefix.

Two queries a page (a count and the rows), each served by an index: ``username_key``
(unique) for the name and the prefix search, ``date_joined`` and ``post_count`` for the
other sorts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select

from forumapp.forum.reading import Pagination, page_count
from forumapp.persistence import DbSession
from forumapp.users.models import User, username_key

#: Sorts after every character a username key can hold: the end of a prefix range.
_AFTER_ALL = "\U0010ffff"


class MemberSort(StrEnum):
    """What the member list is sorted by (the ``sort`` query argument)."""

    NAME = "name"
    JOINED = "joined"
    POSTS = "posts"


_SORT_COLUMNS: dict[MemberSort, ColumnElement[object]] = {
    MemberSort.NAME: User.username_key,  # type: ignore[dict-item]
    MemberSort.JOINED: User.date_joined,  # type: ignore[dict-item]
    MemberSort.POSTS: User.post_count,  # type: ignore[dict-item]
}


@dataclass(frozen=True)
class MemberRow:
    """A member as the list shows them."""

    user_id: int
    username: str
    avatar_key: str | None
    joined: datetime
    post_count: int


@dataclass(frozen=True)
class MemberPage:
    """One page of the member list."""

    members: list[MemberRow]
    pagination: Pagination


class MemberDirectory:
    """Reads pages of the member list."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def page(
        self, prefix: str, sort: MemberSort, descending: bool, page: int, per_page: int
    ) -> MemberPage:
        """Members whose name starts with ``prefix`` (any case; "" for all), sorted by
        ``sort``; ties go by id, in the same direction."""
        where: list[ColumnElement[bool]] = [User.activated.is_(True)]
        key = username_key(prefix)
        if key:
            # A range on the unique index, where LIKE would read every name on SQLite.
            where += [User.username_key >= key, User.username_key < key + _AFTER_ALL]
        total = self._session.scalar(select(func.count()).select_from(User).where(*where)) or 0
        page = min(max(page, 1), page_count(total, per_page))
        column = _SORT_COLUMNS[sort]
        order = (column.desc(), User.id.desc()) if descending else (column.asc(), User.id.asc())
        rows = self._session.execute(
            select(User.id, User.username, User.avatar_key, User.date_joined, User.post_count)
            .where(*where)
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return MemberPage([MemberRow(*row) for row in rows], Pagination(page, per_page, total))

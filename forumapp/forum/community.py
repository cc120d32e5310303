"""Figures about the community shown on the forum index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from forumapp.persistence import DbSession
from forumapp.users.models import User


@dataclass(frozen=True)
class NewMember:
    """A recently joined member."""

    username: str
    joined: datetime


@dataclass(frozen=True)
class CommunitySummary:
    """Member count and the newest members."""

    members: int
    newest: list[NewMember]


class CommunityStats:
    """Reads the index's member figures in two indexed queries."""

    def __init__(self, session: DbSession, newest_count: int = 5) -> None:
        self._session = session
        self._newest_count = newest_count

    def summary(self) -> CommunitySummary:
        """Count activated members and list the newest ones."""
        members = self._session.scalar(select(func.count()).select_from(User).where(User.activated))
        rows = self._session.execute(
            select(User.username, User.date_joined)
            .where(User.activated)
            .order_by(User.date_joined.desc(), User.id.desc())
            .limit(self._newest_count)
        )
        return CommunitySummary(members or 0, [NewMember(name, joined) for name, joined in rows])

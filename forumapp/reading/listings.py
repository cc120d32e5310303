"""The topic listings across forums: ``/unread`` (what a member has not read) and ``/new``
(topics started since a moment).

Each page is two queries (three for members on ``/new``, which marks unread rows),
whatever the size of the forum: the rows come in index order (``ix_topics_last_post_at``,
``ix_topics_created_at``) and the unread window bounds how far back anything is unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select

from forumapp.forum.models import Forum, ForumRead, Topic, TopicRead
from forumapp.forum.permissions import Actor
from forumapp.forum.reading import Pagination, Reader, page_count
from forumapp.persistence import DbSession
from forumapp.users.models import User

Row = TypeVarTuple("Row")


@dataclass(frozen=True)
class ListedTopic:
    """A topic on a listing across forums."""

    topic: Topic
    forum_title: str
    #: Whether the reader has posts of it left to read (always ``False`` for guests).
    unread: bool
    #: The topic starter's avatar (``users.avatar_key``), read in the same query.
    starter_avatar_key: str | None = None


@dataclass(frozen=True)
class TopicListing:
    """One page of a listing across forums."""

    topics: list[ListedTopic]
    pagination: Pagination


def with_reading_state(query: Select[*Row], reader: Reader) -> Select[*Row]:
    """``query`` over topics joined to the reader's position in each and their forum's
    "mark read" moment, for :func:`unread_condition`."""
    return query.outerjoin(
        TopicRead, and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == reader.user_id)
    ).outerjoin(
        ForumRead, and_(ForumRead.forum_id == Topic.forum_id, ForumRead.user_id == reader.user_id)
    )


def unread_condition(reader: Reader) -> ColumnElement[bool]:
    """Topics with posts the reader has not read: active since their baseline and since
    they marked the forum read, and not read to the last post (as the forum pages say)."""
    return and_(
        Topic.last_post_at > reader.baseline,
        or_(ForumRead.cleared_at.is_(None), Topic.last_post_at > ForumRead.cleared_at),
        or_(TopicRead.last_number.is_(None), TopicRead.last_number < Topic.post_number_seq),
    )


class TopicListings:
    """Loads the ``/unread`` and ``/new`` listings, restricted to what the actor may see."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def unread(self, actor: Actor, reader: Reader, page: int, per_page: int) -> TopicListing:
        """Topics with posts the member has not read, newest activity first."""
        where = and_(self._visible(actor), unread_condition(reader))
        counted = with_reading_state(select(func.count()).select_from(Topic), reader)
        total = self._count(counted, where)
        page = min(max(page, 1), page_count(total, per_page))
        rows = self._session.execute(
            with_reading_state(self._rows(), reader)
            .where(where)
            .order_by(Topic.last_post_at.desc(), Topic.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        topics = [ListedTopic(topic, title, True, key) for topic, title, key in rows]
        return TopicListing(topics, Pagination(page, per_page, total))

    def new(
        self, actor: Actor, reader: Reader | None, since: datetime, page: int, per_page: int
    ) -> TopicListing:
        """Topics started after ``since``, newest first; for a member, marked unread where
        they have posts left to read."""
        where = and_(self._visible(actor), Topic.created_at > since)
        total = self._count(select(func.count()).select_from(Topic), where)
        page = min(max(page, 1), page_count(total, per_page))
        rows = self._session.execute(
            self._rows()
            .where(where)
            .order_by(Topic.created_at.desc(), Topic.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        unread = self._unread_among(reader, [topic.id for topic, _, _ in rows])
        topics = [ListedTopic(topic, title, topic.id in unread, key) for topic, title, key in rows]
        return TopicListing(topics, Pagination(page, per_page, total))

    def _visible(self, actor: Actor) -> ColumnElement[bool]:
        # Deleted topics stay on their forum's page for its moderators; listings across
        # forums leave them out for everyone. "+ 0" keeps the forum indexes out of the
        # plan: from them every topic of the visible forums would be read and sorted,
        # where the time index gives only the recent ones, in order.
        return and_((Topic.forum_id + 0).in_(actor.visible_forums), Topic.deleted == false())

    def _count(self, query: Select[Any], where: ColumnElement[bool]) -> int:
        return self._session.scalar(query.where(where)) or 0

    def _rows(self) -> Select[Topic, str, str | None]:
        return (
            select(Topic, Forum.title, User.avatar_key)
            .join(Forum, Forum.id == Topic.forum_id)
            .outerjoin(User, User.id == Topic.user_id)
        )

    def _unread_among(self, reader: Reader | None, topic_ids: list[int]) -> set[int]:
        if reader is None or not topic_ids:
            return set()
        query = with_reading_state(select(Topic.id), reader)
        return set(
            self._session.scalars(query.where(Topic.id.in_(topic_ids), unread_condition(reader)))
        )

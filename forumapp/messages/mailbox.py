"""Reading private messages: a member's boxes, one conversation, and the unread count.

Every method runs a fixed number of queries, whatever the number of conversations,
messages or participants.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import aliased

from forumapp.forum.errors import NotFound
from forumapp.forum.reading import Pagination
from forumapp.messages.models import Conversation, Message, Participant
from forumapp.persistence import DbSession, atomic, best_effort
from forumapp.users.models import User


class Box(enum.Enum):
    """The listings of a member's conversations."""

    INBOX = "inbox"
    SENT = "sent"
    ARCHIVED = "archived"

    @classmethod
    def named(cls, name: str | None) -> Box:
        """The box called ``name``; the inbox for anything else."""
        return next((box for box in cls if box.value == name), cls.INBOX)


@dataclass(frozen=True)
class ConversationRow:
    """A conversation in a listing, as one member sees it."""

    conversation: Conversation
    unread: bool
    muted: bool
    archived: bool
    #: Usernames of the other participants.
    others: list[str]


@dataclass(frozen=True)
class Listing:
    """One page of a box."""

    box: Box
    rows: list[ConversationRow]
    pagination: Pagination


@dataclass(frozen=True)
class Member:
    """A participant as the conversation page shows them."""

    user_id: int
    username: str
    avatar_key: str | None


@dataclass(frozen=True)
class ConversationView:
    """One page of a conversation, for one of its participants."""

    conversation: Conversation
    me: Participant
    participants: list[Member]
    messages: list[Message]
    pagination: Pagination
    #: The id of the first message the reader had not seen, if it is on this page.
    first_unread_id: int | None

    @property
    def started_by_me(self) -> bool:
        """Whether the reader started the conversation (and may add participants)."""
        return self.conversation.starter_id == self.me.user_id


class Mailbox:
    """What one member may read of their conversations."""

    def __init__(self, session: DbSession, page_size: int, write_wait_ms: int = 100) -> None:
        self._session = session
        self.page_size = page_size
        self._write_wait_ms = write_wait_ms

    def listing(self, user_id: int, box: Box, page: int) -> Listing:
        """A page of ``box`` (three queries), newest activity first."""
        mine = select(Participant, Conversation).join(
            Conversation, Conversation.id == Participant.conversation_id
        )
        mine = mine.where(Participant.user_id == user_id)
        if box is Box.ARCHIVED:
            mine = mine.where(Participant.archived.is_(True))
        else:
            mine = mine.where(Participant.archived.is_(False))
        if box is Box.SENT:
            mine = mine.where(Conversation.starter_id == user_id)
        total = self._session.scalar(select(func.count()).select_from(mine.subquery())) or 0
        pagination = self._pagination(page, total)
        rows = self._session.execute(
            mine.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
            .limit(self.page_size)
            .offset((pagination.page - 1) * self.page_size)
        ).all()
        others = self._others([conversation.id for _, conversation in rows], user_id)
        return Listing(
            box,
            [
                ConversationRow(
                    conversation,
                    conversation.last_message_id > me.last_read_message_id,
                    me.muted,
                    me.archived,
                    others.get(conversation.id, []),
                )
                for me, conversation in rows
            ],
            pagination,
        )

    def open(self, user_id: int, conversation_id: int, page: int | None) -> ConversationView:
        """A page of the conversation (the first unread one when ``page`` is ``None``),
        and its messages up to the last shown marked read. :class:`NotFound` unless the
        member takes part in it: moderators included."""
        found = self._session.execute(
            select(Participant, Conversation)
            .join(Conversation, Conversation.id == Participant.conversation_id)
            .where(Participant.conversation_id == conversation_id, Participant.user_id == user_id)
        ).one_or_none()
        if found is None:
            raise NotFound
        me, conversation = found
        if page is None:
            seen = self._session.scalar(
                select(func.count(Message.id)).where(
                    Message.conversation_id == conversation_id,
                    Message.id <= me.last_read_message_id,
                )
            )
            page = min(seen or 0, conversation.message_count - 1) // self.page_size + 1
        pagination = self._pagination(page, conversation.message_count)
        messages = list(
            self._session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
                .limit(self.page_size)
                .offset((pagination.page - 1) * self.page_size)
            )
        )
        participants = [
            Member(user_id, username, avatar_key)
            for user_id, username, avatar_key in self._session.execute(
                select(User.id, User.username, User.avatar_key)
                .join(Participant, Participant.user_id == User.id)
                .where(Participant.conversation_id == conversation_id)
                .order_by(User.username_key)
            )
        ]
        first_unread = next(
            (message.id for message in messages if message.id > me.last_read_message_id), None
        )
        view = ConversationView(conversation, me, participants, messages, pagination, first_unread)
        if messages and messages[-1].id > me.last_read_message_id:
            self._mark_read(me, messages[-1].id)
        return view

    def unread_count(self, user_id: int) -> int:
        """How many of the member's conversations that are not muted have news."""
        return (
            self._session.scalar(
                select(func.count())
                .select_from(Participant)
                .join(Conversation, Conversation.id == Participant.conversation_id)
                .where(*unread_conversations(user_id))
            )
            or 0
        )

    def _mark_read(self, me: Participant, message_id: int) -> None:
        # A reading position is worth a short wait for the write lock, not a failed page.
        what = "a conversation's reading position"
        with best_effort(self._session, self._write_wait_ms, what), atomic(self._session):
            self._session.execute(
                update(Participant)
                .where(
                    Participant.conversation_id == me.conversation_id,
                    Participant.user_id == me.user_id,
                    Participant.last_read_message_id < message_id,
                )
                .values(last_read_message_id=message_id)
            )

    def _others(self, conversation_ids: list[int], user_id: int) -> dict[int, list[str]]:
        if not conversation_ids:
            return {}
        other = aliased(Participant)
        names: dict[int, list[str]] = defaultdict(list)
        for conversation_id, username in self._session.execute(
            select(other.conversation_id, User.username)
            .join(User, User.id == other.user_id)
            .where(other.conversation_id.in_(conversation_ids), other.user_id != user_id)
            .order_by(User.username_key)
        ):
            names[conversation_id].append(username)
        return names

    def _pagination(self, page: int, total: int) -> Pagination:
        pages = max(1, -(-total // self.page_size))
        return Pagination(min(max(page, 1), pages), self.page_size, total)


def unread_conversations(user_id: int) -> tuple[ColumnElement[bool], ...]:
    """The conditions of a participant row (joined to its conversation) that has news
    for ``user_id``: shared by the count here and the header's one query."""
    return (
        Participant.user_id == user_id,
        Participant.muted.is_(False),
        Conversation.last_message_id > Participant.last_read_message_id,
    )

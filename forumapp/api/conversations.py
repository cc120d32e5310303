"""Private conversations in the API, served by the messaging services of the site.

Only participants see a conversation and its messages: anyone else, moderators and
administrators included, gets a 404, as on the site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from sqlalchemy import select

from forumapp.api.callers import Caller, require_member
from forumapp.api.links import WebLinks
from forumapp.api.pagination import Cursor, Page, keyset_page
from forumapp.api.problems import Problem
from forumapp.api.schemas import (
    Content,
    Documented,
    Input,
    Output,
    PageQuery,
    _single_line,
    _visible,
)
from forumapp.forum.errors import NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.messages.conversations import ConversationService
from forumapp.messages.models import SUBJECT_MAX_LENGTH, Participant
from forumapp.messages.models import Conversation as ConversationRow
from forumapp.messages.models import Message as MessageRow
from forumapp.persistence import DbSession
from forumapp.text import CONTROL_CLASS, visible_text_pattern
from forumapp.users.models import USERNAME_MAX_LENGTH, User

Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SUBJECT_MAX_LENGTH),
    AfterValidator(_single_line),
    AfterValidator(_visible),
    Documented(
        visible_text_pattern(CONTROL_CLASS),
        "One line, no control characters, and not only whitespace or invisible characters.",
    ),
]
#: A member's username. Any text is a well-formed request: a name no member has is the
#: service's 422, which names it (a pattern here would only slow the schema's fuzzing).
Username = Annotated[str, StringConstraints(min_length=1, max_length=USERNAME_MAX_LENGTH)]

#: Usernames of a conversation's participants (a name the services' ``list`` shadows).
Names = list[str]
#: More names than any site allows in one conversation; the site's limit
#: (``MESSAGES_MAX_PARTICIPANTS``) is checked by the service, as a 422.
MAX_RECIPIENTS = 100


class Conversation(Output):
    """A private conversation, as one of its participants sees it."""

    id: int
    subject: str
    participants: list[str] = Field(description="Usernames of everyone taking part.")
    started_by_me: bool
    created_at: datetime
    last_message_at: datetime
    message_count: int
    unread: bool = Field(description="Whether it has messages you have not read on the site.")
    url: str = Field(description="The conversation's page on the site.")


class ConversationCreate(Input):
    """Start a conversation with other members: their usernames, a subject and the first
    message. Members who blocked you, or take messages from the staff only, are refused
    (422, naming them)."""

    recipients: list[Username] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    subject: Subject
    content: Content


class Message(Output):
    """One message of a conversation."""

    id: int
    conversation_id: int
    author_id: int | None = Field(description="null once the author deleted their account.")
    author_name: str
    content: str = Field(description="The Markdown source.")
    html: str = Field(description="The sanitized HTML the site shows.")
    created_at: datetime


class MessageCreate(Input):
    """A reply at the end of the conversation."""

    content: Content


class WrittenOnce:
    """What a conversation and a message are once written: read and added to through the
    API, never changed or deleted there (members leave conversations on the site)."""

    def authorize_update(self, caller: Caller, item_id: int, data: object) -> None:
        """Not offered (see :meth:`update`)."""
        self.update(caller, item_id, data)

    def authorize_delete(self, caller: Caller, item_id: int) -> None:
        """Not offered (see :meth:`delete`)."""
        self.delete(caller, item_id)

    def update(self, caller: Caller, item_id: int, data: object) -> Output:
        """Not offered: what was sent stays as sent."""
        raise Problem(405, _l("Private messages are not changed once sent."))

    def delete(self, caller: Caller, item_id: int) -> None:
        """Not offered: members leave a conversation on the site."""
        raise Problem(405, _l("Leave the conversation on the site."))


class ConversationResourceService(WrittenOnce):
    """Lists, reads and starts the caller's conversations."""

    def __init__(
        self, session: DbSession, conversations: ConversationService, links: WebLinks
    ) -> None:
        self._session = session
        self._conversations = conversations
        self._links = links

    def list(self, caller: Caller, query: PageQuery, cursor: Cursor) -> Page[Conversation]:
        """The caller's conversations, newest first (two queries)."""
        user = require_member(caller)
        statement = (
            select(ConversationRow, Participant)
            .join(Participant, Participant.conversation_id == ConversationRow.id)
            .where(Participant.user_id == user.id)
        )
        page = keyset_page(
            self._session, statement, ConversationRow.id, cursor, query.limit, descending=True
        )
        names = self._participants([row.id for row, _ in page.items])
        items = [self._represent(user.id, row, me, names[row.id]) for row, me in page.items]
        return Page(items, page.next, page.prev)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> Conversation:
        """One of the caller's conversations."""
        user = require_member(caller)
        found = self._session.execute(
            select(ConversationRow, Participant)
            .join(Participant, Participant.conversation_id == ConversationRow.id)
            .where(ConversationRow.id == item_id, Participant.user_id == user.id)
        ).one_or_none()
        if found is None:
            raise NotFound
        row, me = found
        return self._represent(user.id, row, me, self._participants([row.id])[row.id])

    def authorize_create(self, caller: Caller, data: ConversationCreate | None) -> None:
        """Members only; the recipients are checked as the conversation starts."""
        require_member(caller)

    def create(self, caller: Caller, data: ConversationCreate) -> Conversation:
        """Start a conversation (flood control and quota as on the site)."""
        started = self._conversations.start(
            caller.actor, data.recipients, data.subject, data.content
        )
        return self.get(caller, started.id)

    def _participants(self, conversation_ids: Sequence[int]) -> dict[int, Names]:
        names: dict[int, Names] = defaultdict(Names)
        if conversation_ids:
            for conversation_id, username in self._session.execute(
                select(Participant.conversation_id, User.username)
                .join(User, User.id == Participant.user_id)
                .where(Participant.conversation_id.in_(conversation_ids))
                .order_by(User.username_key)
            ):
                names[conversation_id].append(username)
        return names

    def _represent(
        self, user_id: int, row: ConversationRow, me: Participant, names: Names
    ) -> Conversation:
        return Conversation(
            id=row.id,
            subject=row.subject,
            participants=names,
            started_by_me=row.starter_id == user_id,
            created_at=row.created_at,
            last_message_at=row.last_message_at,
            message_count=row.message_count,
            unread=row.last_message_id > me.last_read_message_id,
            url=self._links.conversation(row.id),
        )


class MessageResourceService(WrittenOnce):
    """Lists and writes the messages of one conversation of the caller's."""

    def __init__(
        self, session: DbSession, conversations: ConversationService, conversation_id: int
    ) -> None:
        self._session = session
        self._conversations = conversations
        self._conversation_id = conversation_id

    def list(self, caller: Caller, query: PageQuery, cursor: Cursor) -> Page[Message]:
        """The conversation's messages in the order written (two queries)."""
        self._check_participant(caller)
        statement = select(MessageRow).where(MessageRow.conversation_id == self._conversation_id)
        page = keyset_page(self._session, statement, MessageRow.id, cursor, query.limit)
        return Page([_message(row) for (row,) in page.items], page.next, page.prev)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> Message:
        """One message of the conversation."""
        self._check_participant(caller)
        row = self._session.get(MessageRow, item_id)
        if row is None or row.conversation_id != self._conversation_id:
            raise NotFound
        return _message(row)

    def authorize_create(self, caller: Caller, data: MessageCreate | None) -> None:
        """Participants only: anyone else learns nothing about the conversation (404)."""
        self._check_participant(caller)

    def create(self, caller: Caller, data: MessageCreate) -> Message:
        """Reply in the conversation (flood control as on the site)."""
        message = self._conversations.reply(caller.actor, self._conversation_id, data.content)
        return _message(message)

    def _check_participant(self, caller: Caller) -> None:
        user = require_member(caller)
        joined = self._session.scalar(
            select(Participant.user_id).where(
                Participant.conversation_id == self._conversation_id,
                Participant.user_id == user.id,
            )
        )
        if joined is None:
            raise NotFound


def _message(row: MessageRow) -> Message:
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        author_id=row.author_id,
        author_name=row.author_name,
        content=row.content,
        html=row.html,
        created_at=row.created_at,
    )

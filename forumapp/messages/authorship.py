"""What becomes of a member's private messages when their account goes, and what of them
goes into their data export."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Select, select, update

from forumapp.forum.authorship import DELETED_USER
from forumapp.messages.models import Conversation, Message, Participant
from forumapp.persistence import DbSession

#: A query of any columns.
Query: TypeAlias = Select[*tuple[Any, ...]]


def release_messages(session: DbSession, user_id: int) -> None:
    """Detach the member's messages from their name, within the caller's transaction and
    before the account row is deleted. The other participants keep their copy of every
    conversation, its messages shown as written by :data:`DELETED_USER`; the database
    then drops the member's places in conversations and their blocks with the row."""
    session.execute(
        update(Message).where(Message.author_id == user_id).values(author_name=DELETED_USER)
    )
    mine = select(Message.id).where(Message.author_id == user_id)
    session.execute(
        update(Conversation)
        .where(Conversation.last_message_id.in_(mine))
        .values(last_author_name=DELETED_USER)
    )
    session.execute(
        update(Message).where(Message.author_id == user_id).values(author_name=DELETED_USER)
    )


def messages_of(user_id: int) -> Query:
    """The messages the member wrote, for their data export."""
    return (
        select(
            Message.id,
            Message.conversation_id,
            Conversation.subject.label("conversation"),
            Message.created_at,
            Message.content.label("markdown"),
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.author_id == user_id)
        .order_by(Message.id)
    )


def conversations_of(user_id: int) -> Query:
    """The conversations the member takes part in, for their data export."""
    return (
        select(
            Conversation.id,
            Conversation.subject,
            Conversation.created_at,
            (Conversation.starter_id == user_id).label("started_by_me"),
            Participant.joined_at,
            Participant.archived,
            Participant.muted,
        )
        .join(Participant, Participant.conversation_id == Conversation.id)
        .where(Participant.user_id == user_id)
        .order_by(Conversation.id)
    )

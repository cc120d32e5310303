"""What every page shows of the logged-in member's messages and blocks, read once per
request with one query: the header's unread-conversations count, and the members whose
posts topic pages fold away."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_login import current_user
from sqlalchemy import func, literal, select, union_all

from forumapp.extensions import db
from forumapp.messages.mailbox import unread_conversations
from forumapp.messages.models import Conversation, Participant
from forumapp.users.blocks import UserBlock


@dataclass(frozen=True)
class MemberState:
    """The member's unread conversations and the ids of the members they blocked."""

    unread_conversations: int = 0
    blocked: frozenset[int] = frozenset()


NOBODY = MemberState()


def load_member_state(user_id: int) -> MemberState:
    """Both figures of :class:`MemberState` in one query."""
    count = (
        select(literal("u").label("kind"), func.count().label("value"))
        .select_from(Participant)
        .join(Conversation, Conversation.id == Participant.conversation_id)
        .where(*unread_conversations(user_id))
    )
    blocks = select(literal("b").label("kind"), UserBlock.blocked_id.label("value")).where(
        UserBlock.blocker_id == user_id
    )
    rows = db.session.execute(union_all(count, blocks)).all()
    return MemberState(
        unread_conversations=sum(value for kind, value in rows if kind == "u"),
        blocked=frozenset(value for kind, value in rows if kind == "b"),
    )


def member_state() -> MemberState:
    """The state of this request's member (read on first use), or :data:`NOBODY`."""
    if not current_user.is_authenticated:
        return NOBODY
    state = g.get("forumapp_member_state")
    if state is None:
        state = g.forumapp_member_state = load_member_state(current_user.id)
    assert isinstance(state, MemberState)
    return state

"""Shared pieces of the messaging tests: a SQLite session with members, actors for them,
recording collaborators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

import forumapp.messages.models
import forumapp.users.blocks  # noqa: F401
from forumapp.extensions import db
from forumapp.forum.errors import Flooded
from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.messages.conversations import NewMessageNotice
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User

MEMBER_FLAGS = GroupFlags(guest=False, posttopic=True, postreply=True, editpost=True)
MODERATOR_FLAGS = GroupFlags(guest=False, super_mod=True, mod=True, posttopic=True)


def member_session() -> Iterator[Session]:
    """An in-memory database with the schema and the two groups members go in."""
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    db.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(
            [
                Group(key=GroupKey.MEMBER, name="Member"),
                Group(key=GroupKey.SUPER_MOD, name="Super moderator", super_mod=True, mod=True),
            ]
        )
        session.commit()
        yield session
    engine.dispose()


def add_member(session: Session, name: str, *, moderator: bool = False, posts: int = 5) -> User:
    """An activated member who joined long ago."""
    key = GroupKey.SUPER_MOD if moderator else GroupKey.MEMBER
    user = User(
        username=name,
        username_key=name.casefold(),
        email=f"{name}@example.org",
        email_key=f"{name}@example.org",
        password_hash="$argon2id$hash",
        activated=True,
        group_id=session.scalar(select(Group.id).where(Group.key == key)),
        date_joined=datetime(2025, 1, 1, tzinfo=UTC),
        post_count=posts,
    )
    session.add(user)
    session.commit()
    return user


def actor_for(user: User, *, moderator: bool = False) -> Actor:
    """The actor a request of ``user`` would have."""
    flags = MODERATOR_FLAGS if moderator else MEMBER_FLAGS
    return Actor(user.id, user.username, user.group_id, flags)


class RecordingMessageMailer:
    """Remembers the new-message emails it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[NewMessageNotice] = []

    def send_new_message(self, notice: NewMessageNotice) -> None:
        self.sent.append(notice)

    @property
    def recipients(self) -> list[str]:
        return [notice.username for notice in self.sent]


class CountingBudget:
    """A flood-control budget of ``allowed`` actions that records what it was asked."""

    def __init__(self, allowed: int = 1000) -> None:
        self.allowed = allowed
        self.taken = 0
        self.given_back = 0

    def take(self, actor: Actor) -> None:
        if self.taken - self.given_back >= self.allowed:
            raise Flooded("Slow down.", 60)
        self.taken += 1

    def give_back(self, actor: Actor) -> None:
        self.given_back += 1

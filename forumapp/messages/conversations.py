"""Writing private messages: starting conversations, replying, managing who takes part,
and reporting a message to the moderators."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, select, update

from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.markdown import RENDERER_VERSION, render_markdown
from forumapp.forum.permissions import Actor
from forumapp.forum.posting import Budget, without_nul
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.messages import rules
from forumapp.messages.models import Conversation, Message, MessageReport, Participant
from forumapp.messages.rules import MessagingSettings
from forumapp.persistence import DbSession, atomic
from forumapp.users.models import User

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
NOT_STARTER = _l("Only the member who started the conversation can add participants.")


@dataclass(frozen=True)
class NewMessageNotice:
    """What the email about a new message says, to one participant."""

    email: str
    username: str
    sender: str
    subject: str
    conversation_id: int
    #: The participant's language preference: the email is written in it.
    language: str = ""


class MessageMailer(Protocol):
    """Tells a participant about a new message; each call sends one email."""

    def send_new_message(self, notice: NewMessageNotice) -> None: ...


class MessageEvents(Protocol):
    """Hears of each new message inside its unit of work, and acts once it commits
    (forumapp's notifications enqueue a job there)."""

    def message_sent(self, message_id: int) -> None:
        """A message was written: the first of a conversation, or a reply."""


@dataclass(frozen=True)
class MessageBudgets:
    """Flood control: ``messages`` is the members' shared posting budget (a message
    costs what a post costs), ``conversations`` the daily quota of new conversations,
    ``previews`` the previews' budget, ``reports`` the reports' budget (shared with
    reports of posts). ``None`` counts nothing."""

    messages: Budget | None = None
    conversations: Budget | None = None
    previews: Budget | None = None
    reports: Budget | None = None


class ConversationService:
    """Every change to conversations, for an actor given as an argument."""

    def __init__(
        self,
        session: DbSession,
        clock: Clock,
        settings: MessagingSettings,
        mailer: MessageMailer,
        budgets: MessageBudgets | None = None,
        *,
        events: MessageEvents | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self.settings = settings
        self._mailer = mailer
        self._budgets = budgets or MessageBudgets()
        self._events = events

    def start(self, actor: Actor, names: Sequence[str], subject: str, content: str) -> Conversation:
        """Start a conversation with the members called ``names``; nothing is written
        when one of them cannot be written to (:class:`InvalidInput` names them)."""
        rules.check_sender(actor)
        rules.check_size(len(rules.unique_names(names)) + 1, self.settings)
        rules.check_newcomer(self._session, actor, self.settings, self._clock())
        others = rules.recipients(self._session, actor, names)
        rules.check_size(len(others) + 1, self.settings)
        subject, content = without_nul(subject).strip(), without_nul(content)
        html = render_markdown(content)  # before the transaction: rendering takes a while
        quota = (self._budgets.conversations, self._budgets.messages)
        with self._counted(actor, *quota), atomic(self._session):
            now = self._clock()
            conversation = Conversation(
                subject=subject, starter_id=actor.user_id, created_at=now, last_message_at=now
            )
            self._session.add(conversation)
            self._session.flush()
            for user_id in (actor.user_id, *(user.id for user in others)):
                self._session.add(
                    Participant(conversation_id=conversation.id, user_id=user_id, joined_at=now)
                )
            self._session.flush()
            self._written(self._add_message(conversation, actor, content, html, now))
        self._notify(conversation, actor)
        return conversation

    def reply(self, actor: Actor, conversation_id: int, content: str) -> Message:
        """Add a message to a conversation the actor takes part in."""
        rules.check_sender(actor)
        conversation = self._joined(actor, conversation_id)
        others = self._other_members(conversation.id, actor)
        rules.check_willing(self._session, actor, others, field="content")
        content = without_nul(content)
        html = render_markdown(content)
        with self._counted(actor, self._budgets.messages), atomic(self._session):
            message = self._add_message(conversation, actor, content, html, self._clock())
            self._written(message)
        self._notify(conversation, actor)
        return message

    def preview(self, actor: Actor, content: str) -> str:
        """The HTML a message with ``content`` would show (previews are counted)."""
        if self._budgets.previews is not None:
            self._budgets.previews.take(actor)
        return render_markdown(without_nul(content))

    def add_participant(self, actor: Actor, conversation_id: int, name: str) -> User:
        """Bring the member called ``name`` into the conversation; the starter only."""
        rules.check_sender(actor)
        conversation = self._joined(actor, conversation_id)
        if conversation.starter_id != actor.user_id:
            raise Forbidden(NOT_STARTER)
        (user,) = rules.recipients(self._session, actor, [name], field="username")
        present = self._participant_ids(conversation.id)
        if user.id in present:
            raise InvalidInput(
                "username", _l("%(name)s is already in this conversation.", name=user.username)
            )
        rules.check_size(len(present) + 1, self.settings, field="username")
        with atomic(self._session):
            # They start with everything said so far unread.
            self._session.add(
                Participant(
                    conversation_id=conversation.id, user_id=user.id, joined_at=self._clock()
                )
            )
        return user

    def leave(self, actor: Actor, conversation_id: int) -> None:
        """Leave a conversation: it disappears from the actor's boxes, and what they
        wrote stays for the others."""
        self._joined(actor, conversation_id)
        with atomic(self._session):
            self._session.execute(
                delete(Participant).where(
                    Participant.conversation_id == conversation_id,
                    Participant.user_id == actor.user_id,
                )
            )

    def set_archived(self, actor: Actor, conversation_id: int, archived: bool) -> None:
        """Move the conversation to the actor's archive, or back to their inbox."""
        self._set(actor, conversation_id, archived=archived)

    def set_muted(self, actor: Actor, conversation_id: int, muted: bool) -> None:
        """Stop (or resume) emails and unread counts of the conversation for the actor."""
        self._set(actor, conversation_id, muted=muted)

    def reportable(self, actor: Actor, message_id: int) -> Message:
        """A message of a conversation the actor takes part in."""
        message = self._session.get(Message, message_id)
        if message is None:
            raise NotFound
        self._joined(actor, message.conversation_id)
        return message

    def report(self, actor: Actor, message_id: int, reason: str) -> Message:
        """Send a message of a conversation the actor takes part in to the moderators;
        returns the message."""
        message = self.reportable(actor, message_id)
        if self._budgets.reports is not None:
            self._budgets.reports.take(actor)
        with atomic(self._session):
            report = MessageReport(
                message_id=message.id,
                reporter_id=actor.user_id,
                reason=without_nul(reason),
                created_at=self._clock(),
                note="",
            )
            self._session.add(report)
        return message

    def _joined(self, actor: Actor, conversation_id: int) -> Conversation:
        # A conversation the actor is not in does not exist for them, moderators included.
        row = self._session.execute(
            select(Conversation)
            .join(Participant, Participant.conversation_id == Conversation.id)
            .where(Conversation.id == conversation_id, Participant.user_id == actor.user_id)
        ).scalar_one_or_none()
        if row is None:
            raise NotFound
        return row

    def _participant_ids(self, conversation_id: int) -> set[int]:
        return set(
            self._session.scalars(
                select(Participant.user_id).where(Participant.conversation_id == conversation_id)
            )
        )

    def _other_members(self, conversation_id: int, actor: Actor) -> list[User]:
        return list(
            self._session.scalars(
                select(User)
                .join(Participant, Participant.user_id == User.id)
                .where(Participant.conversation_id == conversation_id, User.id != actor.user_id)
            )
        )

    def _set(self, actor: Actor, conversation_id: int, **values: bool) -> None:
        self._joined(actor, conversation_id)
        with atomic(self._session):
            self._session.execute(
                update(Participant)
                .where(
                    Participant.conversation_id == conversation_id,
                    Participant.user_id == actor.user_id,
                )
                .values(**values)
            )

    def _add_message(
        self, conversation: Conversation, actor: Actor, content: str, html: str, now: datetime
    ) -> Message:
        message = Message(
            conversation_id=conversation.id,
            author_id=actor.user_id,
            author_name=actor.username,
            content=content,
            html=html,
            renderer_version=RENDERER_VERSION,
            created_at=now,
        )
        self._session.add(message)
        self._session.flush()
        self._session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(
                last_message_id=message.id,
                last_message_at=now,
                last_author_name=actor.username,
                message_count=Conversation.message_count + 1,
            )
        )
        # The author has read what they wrote; an archived conversation with news comes
        # back to the others' inboxes.
        self._session.execute(
            update(Participant)
            .where(Participant.conversation_id == conversation.id)
            .values(archived=False)
        )
        self._session.execute(
            update(Participant)
            .where(
                Participant.conversation_id == conversation.id,
                Participant.user_id == actor.user_id,
            )
            .values(last_read_message_id=message.id)
        )
        self._session.refresh(conversation)
        return message

    def _written(self, message: Message) -> None:
        # Inside the message's unit of work: the listener acts once it commits, never on
        # a rollback.
        if self._events is not None:
            self._events.message_sent(message.id)

    def _notify(self, conversation: Conversation, actor: Actor) -> None:
        rows = self._session.execute(
            select(User.email, User.username, User.language)
            .join(Participant, Participant.user_id == User.id)
            .where(
                Participant.conversation_id == conversation.id,
                Participant.user_id != actor.user_id,
                Participant.muted.is_(False),
                User.message_emails.is_(True),
            )
        ).all()
        for email, username, language in rows:
            notice = NewMessageNotice(
                email, username, actor.username, conversation.subject, conversation.id, language
            )
            self._mailer.send_new_message(notice)

    @contextmanager
    def _counted(self, actor: Actor, *budgets: Budget | None) -> Iterator[None]:
        # Taken before the transaction: a spent budget refuses the message before anything
        # is written, and a write that fails gives back what it took.
        with ExitStack() as taken:
            for budget in budgets:
                if budget is not None:
                    budget.take(actor)
                    taken.callback(budget.give_back, actor)
            yield
            taken.pop_all()

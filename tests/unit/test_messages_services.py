"""``ConversationService``, ``Mailbox`` and ``BlockService`` without Flask: a real SQLite
session (their work is SQL), a recording mailer, counting budgets and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from forumapp.forum.authorship import DELETED_USER
from forumapp.forum.errors import Flooded, Forbidden, InvalidInput, NotFound
from forumapp.messages.authorship import release_messages
from forumapp.messages.conversations import ConversationService, MessageBudgets
from forumapp.messages.mailbox import Box, Mailbox
from forumapp.messages.models import Conversation, Message, MessageReport, Participant
from forumapp.messages.rules import MessagingSettings
from forumapp.users.blocks import CANNOT_BLOCK_SELF, BlockService, UserBlock
from forumapp.users.models import User
from tests.fakes import FixedClock
from tests.messages_support import (
    CountingBudget,
    RecordingMessageMailer,
    actor_for,
    add_member,
    member_session,
)


@pytest.fixture
def session() -> Iterator[Session]:
    yield from member_session()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def mailer() -> RecordingMessageMailer:
    return RecordingMessageMailer()


@pytest.fixture
def members(session: Session) -> dict[str, User]:
    names = ("alice", "bob", "carol", "dave")
    found = {name: add_member(session, name) for name in names}
    found["mod"] = add_member(session, "mod", moderator=True)
    return found


def service(
    session: Session,
    clock: FixedClock,
    mailer: RecordingMessageMailer,
    settings: MessagingSettings | None = None,
    budgets: MessageBudgets | None = None,
) -> ConversationService:
    return ConversationService(session, clock, settings or MessagingSettings(), mailer, budgets)


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_conversation_starts_with_its_participants_and_first_message(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    started = conversations.start(
        actor_for(members["alice"]), ["Bob", "carol", "bob"], "Lunch", "Shall we **eat**?"
    )
    assert started.message_count == 1 and started.starter_id == members["alice"].id
    participants = set(session.scalars(select(Participant.user_id)))
    assert participants == {members[name].id for name in ("alice", "bob", "carol")}
    message = session.scalars(select(Message)).one()
    assert "<strong>eat</strong>" in message.html
    # The author has read their own words; the others are told by email.
    assert sorted(mailer.recipients) == ["bob", "carol"]
    mailbox = Mailbox(session, 20)
    assert mailbox.unread_count(members["alice"].id) == 0
    assert mailbox.unread_count(members["bob"].id) == 1


@pytest.mark.parametrize(
    ("names", "reason"),
    [
        (["nobody"], "No member is called nobody."),
        (["alice"], "Name at least one member to write to."),
        ([], "Name at least one member to write to."),
    ],
)
def test_unknown_or_missing_recipients_are_refused_with_nothing_written(
    session: Session,
    clock: FixedClock,
    mailer: RecordingMessageMailer,
    members: dict[str, User],
    names: list[str],
    reason: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        service(session, clock, mailer).start(actor_for(members["alice"]), names, "Hi", "Hello")
    assert (refused.value.field, refused.value.reason) == ("recipients", reason)
    assert count(session, Conversation) == count(session, Message) == 0
    assert mailer.sent == []


def test_a_participant_list_over_the_limit_is_refused(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    settings = MessagingSettings(max_participants=3)
    with pytest.raises(InvalidInput, match="at most 3 participants"):
        service(session, clock, mailer, settings).start(
            actor_for(members["alice"]), ["bob", "carol", "dave"], "Hi", "Hello"
        )
    assert count(session, Conversation) == 0


def test_messaging_a_member_who_blocked_you_is_refused(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    BlockService(session, clock).block(members["bob"].id, "alice")
    with pytest.raises(InvalidInput, match="bob does not accept messages from you"):
        service(session, clock, mailer).start(
            actor_for(members["alice"]), ["carol", "bob"], "Hi", "Hello"
        )
    assert count(session, Conversation) == count(session, Participant) == 0


def test_messaging_a_member_you_blocked_is_refused(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    BlockService(session, clock).block(members["alice"].id, "bob")
    with pytest.raises(InvalidInput, match="You blocked bob"):
        service(session, clock, mailer).start(actor_for(members["alice"]), ["bob"], "Hi", "Hey")


def test_a_reply_after_being_blocked_is_refused(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    started = conversations.start(actor_for(members["alice"]), ["bob"], "Hi", "Hello")
    BlockService(session, clock).block(members["bob"].id, "alice")
    with pytest.raises(InvalidInput):
        conversations.reply(actor_for(members["alice"]), started.id, "Still there?")
    assert count(session, Message) == 1


def test_members_who_turned_messages_off_hear_from_staff_only(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    members["bob"].messages_from_members = False
    session.commit()
    conversations = service(session, clock, mailer)
    with pytest.raises(InvalidInput, match="staff only"):
        conversations.start(actor_for(members["alice"]), ["bob"], "Hi", "Hello")
    moderator = actor_for(members["mod"], moderator=True)
    assert conversations.start(moderator, ["bob"], "A word", "Hello").id


def test_new_members_cannot_start_conversations(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    newcomer = add_member(session, "newcomer", posts=0)
    settings = MessagingSettings(min_posts=1, min_account_days=0)
    with pytest.raises(Forbidden, match="written 1 post and"):
        service(session, clock, mailer, settings).start(actor_for(newcomer), ["bob"], "Hi", "Hey")
    recent = add_member(session, "recent", posts=10)
    recent.date_joined = clock.now - timedelta(days=1)
    session.commit()
    settings = MessagingSettings(min_posts=0, min_account_days=7)
    with pytest.raises(Forbidden):
        service(session, clock, mailer, settings).start(actor_for(recent), ["bob"], "Hi", "Hey")
    clock.advance(days=7)
    assert service(session, clock, mailer, settings).start(actor_for(recent), ["bob"], "Hi", "Hey")


def test_each_message_takes_a_post_and_each_conversation_a_quota(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    posts, quota = CountingBudget(), CountingBudget(allowed=1)
    conversations = service(session, clock, mailer, budgets=MessageBudgets(posts, quota))
    alice = actor_for(members["alice"])
    started = conversations.start(alice, ["bob"], "One", "First")
    conversations.reply(alice, started.id, "Second")
    assert (posts.taken, quota.taken) == (2, 1)
    with pytest.raises(Flooded):
        conversations.start(alice, ["carol"], "Two", "Too many today")
    # The quota is asked first: a refused conversation costs no post, and writes nothing.
    assert (posts.taken, posts.given_back) == (2, 0)
    assert count(session, Conversation) == 1


def test_a_spent_posting_budget_writes_nothing_and_gives_the_quota_back(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    quota = CountingBudget()
    conversations = service(
        session, clock, mailer, budgets=MessageBudgets(CountingBudget(allowed=0), quota)
    )
    with pytest.raises(Flooded):
        conversations.start(actor_for(members["alice"]), ["bob"], "Hi", "Hello")
    assert count(session, Conversation) == count(session, Message) == 0
    assert (quota.taken, quota.given_back) == (1, 1)


def test_a_conversation_i_am_not_in_does_not_exist_for_me_not_even_for_a_moderator(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    started = conversations.start(actor_for(members["alice"]), ["bob"], "Private", "Secret")
    outsiders = [actor_for(members["carol"]), actor_for(members["mod"], moderator=True)]
    for outsider in outsiders:
        with pytest.raises(NotFound):
            Mailbox(session, 20).open(outsider.user_id or 0, started.id, None)
        with pytest.raises(NotFound):
            conversations.reply(outsider, started.id, "Let me in")
        with pytest.raises(NotFound):
            conversations.report(outsider, started.last_message_id, "Spam")
    assert count(session, Message) == 1 and count(session, MessageReport) == 0


def test_reading_marks_read_and_muting_hides_the_count(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    started = conversations.start(actor_for(members["alice"]), ["bob"], "Hi", "Hello")
    mailbox, bob = Mailbox(session, 20), members["bob"]
    view = mailbox.open(bob.id, started.id, None)
    assert view.first_unread_id == started.last_message_id
    assert mailbox.unread_count(bob.id) == 0
    conversations.set_muted(actor_for(bob), started.id, True)
    mailer.sent.clear()
    conversations.reply(actor_for(members["alice"]), started.id, "Again")
    assert mailbox.unread_count(bob.id) == 0
    assert mailer.sent == []  # muted: no email either
    assert mailbox.listing(bob.id, Box.INBOX, 1).rows[0].unread


def test_archived_conversations_come_back_with_news(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    alice, bob = actor_for(members["alice"]), actor_for(members["bob"])
    started = conversations.start(alice, ["bob"], "Hi", "Hello")
    conversations.set_archived(bob, started.id, True)
    mailbox = Mailbox(session, 20)
    assert mailbox.listing(members["bob"].id, Box.INBOX, 1).rows == []
    assert len(mailbox.listing(members["bob"].id, Box.ARCHIVED, 1).rows) == 1
    conversations.reply(alice, started.id, "News")
    assert len(mailbox.listing(members["bob"].id, Box.INBOX, 1).rows) == 1
    assert len(mailbox.listing(members["alice"].id, Box.SENT, 1).rows) == 1
    assert mailbox.listing(members["bob"].id, Box.SENT, 1).rows == []


def test_only_the_starter_adds_participants_within_the_limit(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    settings = MessagingSettings(max_participants=3)
    conversations = service(session, clock, mailer, settings)
    alice, bob = actor_for(members["alice"]), actor_for(members["bob"])
    started = conversations.start(alice, ["bob"], "Hi", "Hello")
    with pytest.raises(Forbidden):
        conversations.add_participant(bob, started.id, "carol")
    with pytest.raises(InvalidInput, match="already in"):
        conversations.add_participant(alice, started.id, "bob")
    assert conversations.add_participant(alice, started.id, "carol").username == "carol"
    with pytest.raises(InvalidInput, match="at most 3"):
        conversations.add_participant(alice, started.id, "dave")
    # The newcomer finds everything said so far unread.
    assert Mailbox(session, 20).unread_count(members["carol"].id) == 1


def test_leaving_keeps_the_conversation_for_the_others(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    alice, bob = actor_for(members["alice"]), actor_for(members["bob"])
    started = conversations.start(alice, ["bob", "carol"], "Hi", "Hello")
    conversations.reply(bob, started.id, "Bye")
    conversations.leave(bob, started.id)
    with pytest.raises(NotFound):
        Mailbox(session, 20).open(members["bob"].id, started.id, None)
    view = Mailbox(session, 20).open(members["alice"].id, started.id, None)
    assert [m.author_name for m in view.messages] == ["alice", "bob"]
    assert [p.username for p in view.participants] == ["alice", "carol"]


def test_a_deleted_members_messages_stay_under_the_placeholder(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    started = conversations.start(actor_for(members["alice"]), ["bob"], "Hi", "Hello")
    release_messages(session, members["alice"].id)
    session.delete(members["alice"])
    session.commit()
    view = Mailbox(session, 20).open(members["bob"].id, started.id, None)
    assert [(m.author_name, m.author_id) for m in view.messages] == [(DELETED_USER, None)]
    assert view.conversation.last_author_name == DELETED_USER
    assert [p.username for p in view.participants] == ["bob"]


def test_a_report_reaches_the_moderators(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    started = conversations.start(actor_for(members["alice"]), ["bob"], "Hi", "Buy pills")
    reported = conversations.report(actor_for(members["bob"]), started.last_message_id, "Spam")
    report = session.scalars(select(MessageReport)).one()
    assert (report.message_id, report.reporter_id) == (reported.id, members["bob"].id)


def test_pages_of_a_conversation_and_of_a_box(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    alice = actor_for(members["alice"])
    started = conversations.start(alice, ["bob"], "Long", "1")
    for number in range(2, 8):
        clock.advance(minutes=1)
        conversations.reply(alice, started.id, str(number))
    mailbox = Mailbox(session, 3)
    assert [m.content for m in mailbox.open(members["bob"].id, started.id, 3).messages] == ["7"]
    # Without a page, the first page with something unread.
    conversations.reply(actor_for(members["bob"]), started.id, "8")
    view = mailbox.open(members["alice"].id, started.id, None)
    assert view.pagination.page == 3 and view.first_unread_id == view.messages[-1].id
    assert mailbox.open(members["bob"].id, started.id, 99).pagination.page == 3


def count_queries(session: Session) -> tuple[list[str], Any]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    return statements, lambda: event.remove(engine, "before_cursor_execute", record)


def test_the_box_and_conversation_pages_take_a_fixed_number_of_queries(
    session: Session, clock: FixedClock, mailer: RecordingMessageMailer, members: dict[str, User]
) -> None:
    conversations = service(session, clock, mailer)
    alice = actor_for(members["alice"])
    mailbox, bob = Mailbox(session, 10), members["bob"].id
    figures = []
    for more in (1, 12):
        for _ in range(more):
            started = conversations.start(alice, ["bob", "carol", "dave"], "Hi", "Hello")
            for _ in range(more):
                conversations.reply(alice, started.id, "More")
        statements, stop = count_queries(session)
        mailbox.listing(bob, Box.INBOX, 1)
        mailbox.open(bob, started.id, 1)
        mailbox.unread_count(bob)
        stop()
        figures.append(len(statements))
    assert figures[0] == figures[1]


def test_blocks_are_kept_once_and_lifted(session: Session, members: dict[str, User]) -> None:
    blocks = BlockService(session, FixedClock())
    alice = members["alice"].id
    blocks.block(alice, "Bob")
    blocks.block(alice, "bob")
    assert [user.username for user in blocks.blocked(alice)] == ["bob"]
    blocks.unblock(alice, "bob")
    assert count(session, UserBlock) == 0
    with pytest.raises(InvalidInput, match=str(CANNOT_BLOCK_SELF)):
        blocks.block(alice, "alice")
    with pytest.raises(NotFound):
        blocks.block(alice, "nobody")

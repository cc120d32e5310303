"""The notification services without Flask: a real SQLite session (their work is SQL, so a
fake would test nothing), a fixed clock, a recording mail renderer."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.orm import Session

from forumapp.extensions import db
from forumapp.forum.errors import NotFound
from forumapp.forum.models import Category, Forum, Post, Topic, forum_groups
from forumapp.forum.moderation import ModerationEvent
from forumapp.mail import Email
from forumapp.messages.models import Conversation, Message, Participant
from forumapp.notifications.choices import ChoicesService
from forumapp.notifications.emails import Recipient
from forumapp.notifications.fanout import FanOut, FanOutSettings
from forumapp.notifications.inbox import UNREAD_COUNT_CAP, Inbox, describe
from forumapp.notifications.kinds import SENT, EmailMode, Kind, Level
from forumapp.notifications.models import EmailChoice, ForumWatch, Notification, TopicWatch
from forumapp.notifications.outgoing import NotificationMail
from forumapp.notifications.tokens import InvalidUnsubscribeToken, UnsubscribeTokens
from forumapp.notifications.work import NOTIFY_JOB, QueuedEvents, notification_job
from forumapp.users.blocks import UserBlock
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.fakes import FixedClock


@dataclass
class Forum1:
    """Ids of the small forum the tests act in."""

    session: Session
    forum_id: int
    users: dict[str, int]
    clock: FixedClock

    def fan_out(self, max_mentions: int = 10) -> FanOut:
        return FanOut(self.session, self.clock, FanOutSettings(max_mentions))

    def topic(self, author: str, content: str = "First") -> int:
        topic = Topic(
            forum_id=self.forum_id,
            user_id=self.users[author],
            author_name=author,
            title="Hello",
            post_number_seq=0,
        )
        self.session.add(topic)
        self.session.flush()
        self.post(topic.id, author, content)
        return topic.id

    def post(self, topic_id: int, author: str, content: str = "A reply") -> int:
        topic = self.session.get(Topic, topic_id)
        assert topic is not None
        topic.post_number_seq += 1
        post = Post(
            topic_id=topic_id,
            number=topic.post_number_seq,
            user_id=self.users[author],
            author_name=author,
            content=content,
            html="",
            renderer_version=3,
        )
        self.session.add(post)
        self.session.commit()
        self.fan_out().post_saved(post.id)
        return post.id

    def lines(self, name: str) -> list[Notification]:
        return list(
            self.session.scalars(
                select(Notification)
                .where(Notification.user_id == self.users[name])
                .order_by(Notification.id)
            )
        )

    def block(self, blocker: str, blocked: str) -> None:
        self.session.add(
            UserBlock(
                blocker_id=self.users[blocker],
                blocked_id=self.users[blocked],
                created_at=self.clock(),
            )
        )
        self.session.commit()

    def watch(self, name: str, topic_id: int, level: Level) -> None:
        self.session.merge(TopicWatch(user_id=self.users[name], topic_id=topic_id, level=level))
        self.session.commit()


@pytest.fixture
def forum() -> Iterator[Forum1]:
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    db.metadata.create_all(engine)
    with Session(engine) as session:
        member = Group(key=GroupKey.MEMBER, name="Member")
        outsider = Group(key=GroupKey.GUEST, name="Guest", guest=True)
        session.add_all([member, outsider])
        category = Category(title="C")
        session.add(category)
        session.flush()
        forum = Forum(category_id=category.id, title="F", topic_count=0, post_count=0)
        session.add(forum)
        session.flush()
        session.execute(insert(forum_groups).values(forum_id=forum.id, group_id=member.id))
        users = {}
        for name in ("alice", "bob", "carol", "dave"):
            user = User(
                username=name,
                username_key=name,
                email=f"{name}@example.org",
                email_key=f"{name}@example.org",
                password_hash="x",
                activated=True,
                group_id=outsider.id if name == "dave" else member.id,
            )
            session.add(user)
            session.flush()
            users[name] = user.id
        session.commit()
        yield Forum1(session, forum.id, users, FixedClock())
    engine.dispose()


def test_the_author_of_a_topic_watches_it_and_hears_of_replies_as_one_line(
    forum: Forum1,
) -> None:
    topic = forum.topic("alice")
    forum.post(topic, "bob")
    forum.post(topic, "carol")
    (line,) = forum.lines("alice")
    assert (line.kind, line.event_count, line.actor_name) == (Kind.REPLY, 2, "carol")
    assert describe(line) == "carol and 1 other reply in “Hello”"
    assert forum.lines("bob") == [] and forum.lines("carol") == []


def test_a_mention_beats_watching_and_the_cap_holds(forum: Forum1) -> None:
    topic = forum.topic("alice")
    forum.post(topic, "bob", "@alice @carol")
    assert [line.kind for line in forum.lines("alice")] == [Kind.MENTION]
    assert [line.kind for line in forum.lines("carol")] == [Kind.MENTION]
    post = Post(
        topic_id=topic, number=9, user_id=forum.users["bob"], author_name="bob",
        content="@carol @alice", html="", renderer_version=3,
    )  # fmt: skip
    forum.session.add(post)
    forum.session.commit()
    forum.fan_out(max_mentions=1).post_saved(post.id)
    assert len(forum.lines("carol")) == 2
    assert [line.kind for line in forum.lines("alice")] == [Kind.MENTION, Kind.REPLY]


def test_muted_members_and_members_who_cannot_see_hear_nothing(forum: Forum1) -> None:
    topic = forum.topic("alice")
    forum.watch("alice", topic, Level.MUTED)
    forum.watch("dave", topic, Level.WATCHING)
    forum.post(topic, "bob", "@alice @dave")
    assert forum.lines("alice") == [] and forum.lines("dave") == []


def test_a_muted_forum_hides_mentions_unless_the_topic_has_a_level(forum: Forum1) -> None:
    forum.session.add(
        ForumWatch(user_id=forum.users["carol"], forum_id=forum.forum_id, level=Level.MUTED)
    )
    forum.session.commit()
    muted = forum.topic("bob", "@carol")
    assert forum.lines("carol") == []
    forum.watch("carol", muted, Level.TRACKING)
    forum.post(muted, "bob", "@carol again")
    assert [line.kind for line in forum.lines("carol")] == [Kind.MENTION]


def test_forum_watchers_hear_of_new_topics_only(forum: Forum1) -> None:
    forum.session.add(
        ForumWatch(user_id=forum.users["carol"], forum_id=forum.forum_id, level=Level.WATCHING)
    )
    forum.session.commit()
    topic = forum.topic("bob")
    forum.post(topic, "alice")
    assert [line.kind for line in forum.lines("carol")] == [Kind.NEW_TOPIC]


def test_a_quote_of_a_post_notifies_its_author(forum: Forum1) -> None:
    topic = forum.topic("bob")
    quoted = forum.post(topic, "alice", "Quotable")
    forum.watch("alice", topic, Level.TRACKING)
    forum.post(topic, "carol", f"> **[alice](/post/{quoted}) wrote:**\n> Quotable\n\nYes.")
    assert [line.kind for line in forum.lines("alice")] == [Kind.QUOTE]


def test_moderation_tells_the_author_not_the_moderator(forum: Forum1) -> None:
    topic = forum.topic("alice")
    post = forum.post(topic, "bob")
    event = ModerationEvent("post.hide", "post", post, "#2", actor_id=forum.users["carol"])
    own = ModerationEvent("topic.lock", "topic", topic, "Hello", actor_id=forum.users["alice"])
    unlock = ModerationEvent("topic.unlock", "topic", topic, "Hello", actor_id=1)
    forum.fan_out().moderated([event, own, unlock])
    assert [(line.kind, line.detail) for line in forum.lines("bob")] == [
        (Kind.MODERATION, "post.hide")
    ]
    assert [line.kind for line in forum.lines("alice")] == [Kind.REPLY]


def test_the_email_mode_is_the_members_choice_or_the_kinds_default(forum: Forum1) -> None:
    forum.session.add(EmailChoice(user_id=forum.users["carol"], kind="mention", mode="weekly"))
    forum.session.commit()
    forum.topic("bob", "@alice @carol")
    assert forum.lines("alice")[0].mail_status == EmailMode.IMMEDIATE
    assert forum.lines("carol")[0].mail_status == EmailMode.WEEKLY


class RecordingEmails:
    """A renderer that says what it rendered."""

    def single(self, recipient: Recipient, line: Notification) -> Email:
        return Email(recipient.email, f"single {line.kind}", "", "")

    def digest(self, recipient: Recipient, lines: list[Notification], mode: EmailMode) -> Email:
        return Email(recipient.email, f"{mode} digest of {len(lines)}", "", "")


def test_due_email_is_sent_once_and_digests_gather_each_members_lines(forum: Forum1) -> None:
    sent: list[Email] = []
    mail = NotificationMail(forum.session, RecordingEmails(), sent.append)
    forum.session.add(
        ForumWatch(user_id=forum.users["carol"], forum_id=forum.forum_id, level=Level.WATCHING)
    )
    forum.session.commit()
    forum.topic("bob", "@alice")
    forum.topic("bob")
    assert mail.send_immediate() == 1 and mail.send_immediate() == 0
    assert [(email.to, email.subject) for email in sent] == [
        ("alice@example.org", "single mention")
    ]
    assert mail.send_digests(EmailMode.DAILY) == 1
    assert sent[-1] == Email("carol@example.org", "daily digest of 2", "", "")
    assert mail.send_digests(EmailMode.DAILY) == 0
    statuses = forum.session.scalars(select(Notification.mail_status)).all()
    assert set(statuses) == {SENT}


def test_two_runs_racing_for_the_same_lines_send_each_email_once(forum: Forum1) -> None:
    sent: list[Email] = []

    class Overtaken(NotificationMail):
        """A run that another one overtakes between reading its batch and marking it."""

        def _due(self, mode: EmailMode, members: list[int] | None) -> Any:
            batch = super()._due(mode, members)
            if batch is not None:
                NotificationMail(forum.session, RecordingEmails(), sent.append).send_immediate()
            return batch

    forum.topic("bob", "@alice @carol")
    assert Overtaken(forum.session, RecordingEmails(), sent.append).send_immediate() == 0
    assert sorted(email.to for email in sent) == ["alice@example.org", "carol@example.org"]


def test_read_lines_are_not_mailed(forum: Forum1) -> None:
    sent: list[Email] = []
    forum.topic("bob", "@alice")
    Inbox(forum.session, forum.clock).mark_all_read(forum.users["alice"])
    assert NotificationMail(forum.session, RecordingEmails(), sent.append).send_immediate() == 0
    assert sent == []


def test_the_inbox_pages_opens_and_prunes(forum: Forum1) -> None:
    inbox = Inbox(forum.session, forum.clock)
    for _ in range(3):
        forum.topic("bob", "@alice")
        forum.clock.advance(minutes=1)
    alice = forum.users["alice"]
    first = inbox.page(alice, 1, 2)
    assert len(first.lines) == 2 and first.has_next and not first.has_previous
    assert inbox.bell(alice, None, None).unread == 3
    with pytest.raises(NotFound):
        inbox.open(forum.users["bob"], first.lines[0].id)
    inbox.open(alice, first.lines[0].id)
    assert inbox.bell(alice, None, None).unread == 2
    forum.clock.advance(days=100)
    assert inbox.prune(forum.clock() - timedelta(days=90)) == 1
    assert len(inbox.page(alice, 1, 10).lines) == 2


def test_the_bell_caps_its_count_and_reads_the_pages_levels(forum: Forum1) -> None:
    inbox = Inbox(forum.session, forum.clock)
    topic = forum.topic("alice")
    alice = forum.users["alice"]
    forum.session.execute(
        insert(Notification),
        [
            {
                "user_id": alice,
                "kind": "mention",
                "created_at": forum.clock(),
                "updated_at": forum.clock(),
                "mail_status": SENT,
            }
            for _ in range(UNREAD_COUNT_CAP + 5)
        ],
    )
    bell = inbox.bell(alice, topic, forum.forum_id)
    assert (bell.unread, bell.unread_label) == (UNREAD_COUNT_CAP, "99+")
    assert (bell.topic_level, bell.forum_level) == (Level.WATCHING, None)


def test_choices_default_per_kind_and_turn_off(forum: Forum1) -> None:
    choices = ChoicesService(forum.session)
    alice = forum.users["alice"]
    assert choices.choices_of(alice).email[Kind.MENTION] is EmailMode.IMMEDIATE
    choices.turn_off(alice, [Kind.MENTION, Kind.REPLY])
    email = choices.choices_of(alice).email
    assert (email[Kind.MENTION], email[Kind.REPLY]) == (EmailMode.NEVER, EmailMode.NEVER)
    choices.turn_off(999, [Kind.MENTION])  # a member gone since: nothing to do


def test_unsubscribe_tokens_are_signed_and_checked() -> None:
    tokens = UnsubscribeTokens("secret")
    token = tokens.make(7, [Kind.QUOTE, Kind.MENTION])
    read = tokens.read(token)
    assert (read.user_id, read.kinds) == (7, (Kind.MENTION, Kind.QUOTE))
    for bad in (token[:-1], token + "x", UnsubscribeTokens("other").make(7, [Kind.QUOTE]), ""):
        with pytest.raises(InvalidUnsubscribeToken):
            tokens.read(bad)


class RecordingQueue:
    """A job queue that keeps what it was given (JSON-encoded, as the outbox stores it)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, str]] = []

    def enqueue(self, kind: str, payload: Mapping[str, Any]) -> None:
        self.jobs.append((kind, json.dumps(payload)))


class RecordingWork:
    """Notification work that remembers what it was asked to do."""

    def __init__(self) -> None:
        self.done: list[object] = []

    def post_saved(self, post_id: int) -> None:
        self.done.append(("post", post_id))

    def moderated(self, events: Sequence[ModerationEvent]) -> None:
        self.done.append(list(events))

    def report_handled(self, report_id: int) -> None:
        self.done.append(("report", report_id))

    def message_sent(self, message_id: int) -> None:
        self.done.append(("message", message_id))


def test_each_event_is_one_job_whose_run_does_that_events_work() -> None:
    queue = RecordingQueue()
    events = QueuedEvents(lambda: queue)
    action = ModerationEvent("topic.lock", "topic", 3, "Hello", actor_id=1, actor_name="mod")
    events.post_saved(7)
    events.moderated([action])
    events.report_handled(4)
    events.message_sent(9)
    assert [kind for kind, _ in queue.jobs] == [NOTIFY_JOB] * 4
    work = RecordingWork()
    job = notification_job(lambda: work)  # type: ignore[arg-type,return-value]
    for _, payload in queue.jobs:
        job.run(json.loads(payload))
    assert work.done == [("post", 7), [action], ("report", 4), ("message", 9)]
    with pytest.raises(ValueError, match="unheard"):
        job.run({"event": "unheard"})


def test_a_member_hears_nothing_caused_by_someone_they_blocked(forum: Forum1) -> None:
    topic = forum.topic("alice")
    forum.watch("carol", topic, Level.WATCHING)
    forum.block("alice", "bob")
    forum.block("carol", "bob")
    forum.post(topic, "bob", "@alice")
    assert forum.lines("alice") == [] and forum.lines("carol") == []
    forum.post(topic, "dave")  # dave nobody blocked: his reply still reaches them
    assert [line.kind for line in forum.lines("carol")] == [Kind.REPLY]


def test_a_private_message_notifies_the_other_participants_unless_muted_or_blocked(
    forum: Forum1,
) -> None:
    now = forum.clock()
    conversation = Conversation(
        subject="Lunch", starter_id=forum.users["alice"], created_at=now, last_message_at=now
    )
    forum.session.add(conversation)
    forum.session.flush()
    for name in ("alice", "bob", "carol", "dave"):
        forum.session.add(
            Participant(
                conversation_id=conversation.id,
                user_id=forum.users[name],
                joined_at=now,
                muted=name == "carol",
            )
        )
    forum.block("dave", "alice")
    message = Message(
        conversation_id=conversation.id, author_id=forum.users["alice"], author_name="alice",
        content="Noon?", html="", renderer_version=3, created_at=now,
    )  # fmt: skip
    forum.session.add(message)
    forum.session.commit()
    forum.fan_out().message_sent(message.id)
    (line,) = forum.lines("bob")
    assert (line.kind, line.conversation_id, line.topic_id) == (
        Kind.PRIVATE_MESSAGE, conversation.id, None,
    )  # fmt: skip
    assert describe(line) == "alice sent you a private message: “Lunch”"
    assert line.mail_status == EmailMode.NEVER  # the messages send their own email
    assert forum.lines("alice") == forum.lines("carol") == forum.lines("dave") == []

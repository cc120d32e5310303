"""The report desk and the moderation messages without Flask: a plain SQLAlchemy session
over an in-memory database, a fake mailer and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import forumapp.auth.models
import forumapp.management.audit.models  # noqa: F401
from forumapp.extensions import db
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.models import Category, Forum, MemberWarning, Post, Report, Topic
from forumapp.forum.moderation import ModerationEvent, ModerationService, TopicAction, TopicsChanged
from forumapp.forum.moderation_messages import topics_changed_message
from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.management.audit.log import AuditLog
from forumapp.management.reports.desk import ReportDesk, Warning
from forumapp.management.users.services import UserAdministration
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.fakes import FixedClock

MODERATOR_FLAGS = GroupFlags(guest=False, mod=True, viewhidden=True, makehidden=True)


@dataclass
class RecordingWarnings:
    """A warning mailer that keeps what it was asked to send."""

    sent: list[Warning] = field(default_factory=list)

    def send_warning(self, warning: Warning) -> None:
        """Keep the warning."""
        self.sent.append(warning)


@dataclass
class Desk:
    """The desk under test and what it works on."""

    session: Session
    desk: ReportDesk
    mailer: RecordingWarnings
    events: list[ModerationEvent]
    clock: FixedClock
    moderator: Actor
    mod_group: Group
    author: User
    forum: Forum
    topic: Topic
    reply: Post
    report: Report


def _group(key: str, **flags: bool) -> Group:
    return Group(key=key, name=key.title(), description="", **flags)


def _user(name: str, group: Group) -> User:
    return User(
        username=name,
        username_key=name,
        email=f"{name}@example.org",
        email_key=f"{name}@example.org",
        password_hash="x",
        group=group,
        activated=True,
    )


@pytest.fixture
def setup() -> Iterator[Desk]:
    engine = create_engine("sqlite://")
    db.metadata.create_all(engine)
    session = Session(engine, expire_on_commit=False)
    clock = FixedClock()
    mod_group = _group(GroupKey.MOD, mod=True, mod_banuser=True, viewhidden=True, makehidden=True)
    member_group = _group(GroupKey.MEMBER)
    session.add_all([mod_group, member_group, _group(GroupKey.BANNED, banned=True)])
    moderator, author, reporter = (
        _user("mo", mod_group),
        _user("al", member_group),
        _user("re", member_group),
    )
    session.add_all([moderator, author, reporter])
    session.add(Category(id=1, title="C"))
    session.flush()
    forum = Forum(category_id=1, title="Boats")
    session.add(forum)
    session.flush()
    topic = Topic(forum_id=forum.id, author_name="al", title="Selling", post_number_seq=2)
    session.add(topic)
    session.flush()
    first = Post(
        topic_id=topic.id, number=1, author_name="al", content="x", html="x", renderer_version=1
    )
    reply = Post(
        topic_id=topic.id,
        number=2,
        user_id=author.id,
        author_name="al",
        content="spam",
        html="<p>spam</p>",
        renderer_version=1,
    )
    session.add_all([first, reply])
    session.flush()
    report = Report(post_id=reply.id, reporter_id=reporter.id, reason="spam", created_at=clock())
    session.add(report)
    session.commit()
    events: list[ModerationEvent] = []
    mailer = RecordingWarnings()
    desk = ReportDesk(
        session,
        ModerationService(session, clock, events.append),
        UserAdministration(session, AuditLog(session, clock), clock),
        mailer,
        clock,
    )
    actor = Actor(
        moderator.id,
        "mo",
        mod_group.id,
        MODERATOR_FLAGS,
        frozenset({forum.id}),
        frozenset({forum.id}),
    )
    yield Desk(
        session, desk, mailer, events, clock, actor, mod_group, author, forum, topic, reply, report
    )
    session.close()
    engine.dispose()


def reloaded(d: Desk) -> Report:
    d.session.expire_all()
    report = d.session.get(Report, d.report.id)
    assert report is not None
    return report


def test_a_warning_is_recorded_mailed_and_resolves_the_report(setup: Desk) -> None:
    d = setup
    d.desk.warn_author(d.moderator, d.report.id, "No spam, please")
    assert d.mailer.sent == [Warning("al@example.org", "al", "No spam, please", "mo", "en")]
    warning = d.session.scalar(select(MemberWarning))
    assert warning is not None and (warning.user_id, warning.report_id) == (
        d.author.id,
        d.report.id,
    )
    report = reloaded(d)
    assert (report.resolution, report.handled_by_id, report.handled_at) == (
        "author_warned",
        d.moderator.user_id,
        d.clock(),
    )
    assert [event.action for event in d.events] == ["report.resolve"]


def test_a_refused_action_leaves_the_report_open(setup: Desk) -> None:
    d = setup
    cannot_remove = Actor(
        d.moderator.user_id,
        "mo",
        d.mod_group.id,
        GroupFlags(guest=False, mod=True),
        frozenset({d.forum.id}),
        frozenset({d.forum.id}),
    )
    with pytest.raises(Forbidden):
        d.desk.delete_post(cannot_remove, d.report.id)
    assert reloaded(d).handled_at is None
    assert not d.session.get(Post, d.reply.id).deleted  # type: ignore[union-attr]
    with pytest.raises(InvalidInput):
        d.desk.warn_author(d.moderator, d.report.id, "")
    assert reloaded(d).handled_at is None and d.mailer.sent == []


def test_deleting_the_post_and_resolving_are_one_unit(setup: Desk) -> None:
    d = setup
    d.desk.delete_post(d.moderator, d.report.id)
    post = d.session.get(Post, d.reply.id)
    assert post is not None and (post.deleted, post.deleted_by, post.deleted_at) == (
        True,
        "mo",
        d.clock(),
    )
    assert reloaded(d).resolution == "post_deleted"
    assert [event.action for event in d.events] == ["report.resolve", "post.delete"]
    with pytest.raises(NotFound):  # resolved: no longer in the queue
        d.desk.dismiss(d.moderator, d.report.id)


def test_a_suspension_is_a_temporary_ban_and_needs_mod_banuser(setup: Desk) -> None:
    d = setup
    d.mod_group.mod_banuser = False
    with pytest.raises(Forbidden):
        d.desk.suspend_author(d.moderator, d.mod_group, d.report.id, 3, "again")
    assert reloaded(d).handled_at is None
    d.mod_group.mod_banuser = True
    with pytest.raises(InvalidInput):
        d.desk.suspend_author(d.moderator, d.mod_group, d.report.id, 0, "again")
    d.desk.suspend_author(d.moderator, d.mod_group, d.report.id, 3, "again")
    d.session.expire_all()
    author = d.session.get(User, d.author.id)
    assert author is not None and author.group.key == GroupKey.BANNED
    assert author.banned_until == d.clock() + timedelta(days=3)
    assert (reloaded(d).resolution, reloaded(d).note) == ("author_suspended", "3 days: again")


def test_the_queue_lists_only_the_forums_one_moderates(setup: Desk) -> None:
    d = setup
    [entry] = d.desk.entries(d.moderator)
    assert (entry.kind, entry.reporter_name, entry.author_name, entry.content_html) == (
        "post",
        "re",
        "al",
        "<p>spam</p>",
    )
    elsewhere = Actor(
        d.moderator.user_id, "mo", d.mod_group.id, MODERATOR_FLAGS, frozenset({d.forum.id})
    )
    assert d.desk.entries(elsewhere) == []
    with pytest.raises(NotFound):
        d.desk.dismiss(elsewhere, d.report.id)
    assert d.desk.entries(d.moderator, resolved=True) == []
    d.desk.dismiss(d.moderator, d.report.id, "fine")
    [resolved] = d.desk.entries(d.moderator, resolved=True)
    assert (resolved.resolver_name, resolved.resolution_label) == ("mo", "Dismissed")


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (TopicsChanged(TopicAction.MOVE, (1, 2), "Support"), "2 topics moved to Support."),
        (TopicsChanged(TopicAction.LOCK, (1,)), "1 topic locked."),
        (TopicsChanged(TopicAction.PIN, (1, 2, 3)), "3 topics pinned."),
        (
            TopicsChanged(TopicAction.DELETE, ()),
            "No topic deleted: the selected ones already were.",
        ),
    ],
)
def test_messages_count_and_agree_in_number(changed: TopicsChanged, message: str) -> None:
    assert topics_changed_message(changed) == message

"""The reading services without Flask: who's online (in memory, and its one-statement
flush), the member list, the /unread and /new listings, and the flood-control wording."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from forumapp.extensions import db
from forumapp.forum.limits import wait_phrase
from forumapp.forum.models import Category, Forum, Topic, TopicRead
from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.forum.presence import OnlineMember, Presence, WhoIsOnline
from forumapp.forum.reading import Reader
from forumapp.reading.listings import TopicListings
from forumapp.reading.members import MemberDirectory, MemberSort
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.fakes import FixedClock

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def presence(clock: FixedClock, capacity: int = 100) -> Presence:
    """A presence record flushing at most once a minute."""
    return Presence(clock, WINDOW, timedelta(minutes=1), guest_capacity=capacity)


# Presence, in memory ------------------------------------------------------------------


def test_guests_count_within_the_window_and_are_forgotten_after() -> None:
    clock = FixedClock(T0)
    record = presence(clock)
    record.guest_seen("10.0.0.1")
    record.guest_seen("10.0.0.2")
    record.guest_seen("10.0.0.1")
    assert record.guests_online() == 2
    clock.advance(minutes=10)
    record.guest_seen("10.0.0.1")
    clock.advance(minutes=6)
    assert record.guests_online() == 1


def test_the_guest_record_is_bounded() -> None:
    clock = FixedClock(T0)
    record = presence(clock, capacity=50)
    for n in range(10_000):
        record.guest_seen(f"10.0.{n // 256}.{n % 256}")
    assert record.guests_online() == 50


def test_a_member_logged_in_from_an_address_is_no_longer_its_guest() -> None:
    record = presence(FixedClock(T0))
    record.guest_seen("10.0.0.1")
    record.member_seen(OnlineMember(1, "ann"), "10.0.0.1")
    assert record.guests_online() == 0
    assert list(record.pending_members()) == [1]


def test_a_flush_is_due_after_its_interval_when_something_is_pending() -> None:
    clock = FixedClock(T0)
    record = presence(clock)
    clock.advance(minutes=5)
    assert not record.due()  # nothing pending
    record.member_seen(OnlineMember(1, "ann"))
    assert record.due()


# Presence, written and read -----------------------------------------------------------


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    db.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Group(key=GroupKey.MEMBER, name="Member"))
        session.commit()
        yield session
    engine.dispose()


def add_member(session: Session, name: str, **values: object) -> int:
    """A member in the database; returns their id."""
    group_id = session.scalar(select(Group.id))
    values = {"activated": True, "date_joined": T0 - timedelta(days=30), **values}
    user = User(
        username=name,
        username_key=name.casefold(),
        email=f"{name}@example.org",
        email_key=f"{name}@example.org",
        password_hash="x",
        group_id=group_id,
        **values,
    )
    session.add(user)
    session.commit()
    return user.id


def count_statements(session: Session) -> list[str]:
    """Statements run on the session's engine from now on."""
    statements: list[str] = []
    event.listen(
        session.get_bind(),
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    return statements


def test_a_flush_writes_every_pending_time_in_one_statement(session: Session) -> None:
    clock = FixedClock(T0)
    record = presence(clock)
    ids = [add_member(session, name) for name in ("ann", "bob", "cid")]
    for uid in ids:
        record.member_seen(OnlineMember(uid, f"m{uid}"))
    statements = count_statements(session)
    record.flush(session)
    assert len([s for s in statements if s.startswith("UPDATE")]) == 1
    assert set(session.scalars(select(User.last_seen))) == {T0}
    assert record.pending_members() == {}


def test_last_seen_only_moves_forward_and_a_new_visit_keeps_the_previous_end(
    session: Session,
) -> None:
    long_ago, a_minute_ago = T0 - timedelta(hours=5), T0 - timedelta(minutes=1)
    back = add_member(session, "back", last_seen=long_ago)
    busy = add_member(session, "busy", last_seen=a_minute_ago, last_visit_at=long_ago)
    ahead = add_member(session, "ahead", last_seen=T0 + timedelta(minutes=1))
    record = presence(FixedClock(T0))
    for uid in (back, busy, ahead):
        record.member_seen(OnlineMember(uid, "x"))
    record.flush(session)
    session.expire_all()
    rows = {u.id: (u.last_seen, u.last_visit_at) for u in session.scalars(select(User))}
    assert rows[back] == (T0, long_ago)  # back after hours: the previous visit ended then
    assert rows[busy] == (T0, long_ago)  # the same visit goes on
    assert rows[ahead] == (T0 + timedelta(minutes=1), None)  # another worker wrote later


def test_a_failed_flush_keeps_the_times_pending(session: Session) -> None:
    record = presence(FixedClock(T0))
    record.member_seen(OnlineMember(1, "ann"))
    session.get_bind().dispose()
    event.listen(
        session.get_bind(),
        "before_cursor_execute",
        lambda *_: (_ for _ in ()).throw(RuntimeError("database gone")),
    )
    with pytest.raises(RuntimeError):
        record.flush(session)
    assert list(record.pending_members()) == [1]


def test_who_is_online_merges_the_database_this_worker_and_the_viewer(session: Session) -> None:
    clock = FixedClock(T0)
    record = presence(clock)
    add_member(session, "Zed", last_seen=T0 - timedelta(minutes=3), avatar_key="k1")
    add_member(session, "gone", last_seen=T0 - timedelta(minutes=20))
    add_member(session, "quiet", last_seen=T0 - timedelta(minutes=1), activated=False)
    record.member_seen(OnlineMember(77, "amy"))
    record.guest_seen("10.0.0.9")
    online = WhoIsOnline(session, record, clock).now(OnlineMember(78, "viewer"))
    assert [m.username for m in online.members] == ["amy", "viewer", "Zed"]
    assert online.members[-1].avatar_key == "k1"
    assert (online.guests, online.more) == (1, False)


# The member list ----------------------------------------------------------------------


def test_the_member_list_sorts_both_ways_and_searches_a_name_prefix(session: Session) -> None:
    for name, posts in (("ann", 3), ("Anna", 1), ("bob", 2)):
        add_member(session, name, post_count=posts)
    add_member(session, "annette", activated=False)
    directory = MemberDirectory(session)

    def names(prefix: str, sort: MemberSort, descending: bool) -> list[str]:
        return [m.username for m in directory.page(prefix, sort, descending, 1, 10).members]

    assert names("", MemberSort.NAME, False) == ["ann", "Anna", "bob"]
    assert names("", MemberSort.POSTS, True) == ["ann", "bob", "Anna"]
    assert names("ANN", MemberSort.POSTS, False) == ["Anna", "ann"]
    assert names("", MemberSort.JOINED, True) == ["bob", "Anna", "ann"]  # same day: by id
    page = directory.page("", MemberSort.NAME, False, 9, 2)
    assert (page.pagination.page, page.pagination.total) == (2, 3)


# The listings -------------------------------------------------------------------------


def forum_with_topics(session: Session, *created: datetime) -> tuple[int, list[int]]:
    """A forum and topics created (and last active) at ``created``; returns their ids."""
    category = Category(title="C")
    session.add(category)
    session.flush()
    forum = Forum(category_id=category.id, title="F")
    session.add(forum)
    session.flush()
    topics = [
        Topic(
            forum_id=forum.id,
            author_name="bob",
            title=f"T{n}",
            created_at=at,
            last_post_at=at,
            post_number_seq=2,
            post_count=2,
        )
        for n, at in enumerate(created)
    ]
    session.add_all(topics)
    session.commit()
    return forum.id, [topic.id for topic in topics]


def reader_actor(forums: set[int]) -> Actor:
    """A member who sees ``forums``."""
    return Actor(1, "ann", 1, GroupFlags(guest=False), visible_forums=frozenset(forums))


def test_unread_leaves_out_read_topics_and_forums_out_of_sight(session: Session) -> None:
    user = add_member(session, "ann")
    forum, (first, second, third) = forum_with_topics(
        session, T0 - timedelta(hours=3), T0 - timedelta(hours=2), T0 - timedelta(hours=1)
    )
    hidden, _ = forum_with_topics(session, T0)
    session.add(TopicRead(user_id=user, topic_id=second, read_at=T0, last_number=2))
    session.commit()
    listing = TopicListings(session).unread(
        reader_actor({forum}), Reader(user, T0 - timedelta(days=1)), 1, 10
    )
    assert [row.topic.id for row in listing.topics] == [third, first]
    assert all(row.unread for row in listing.topics)
    assert hidden not in {row.topic.forum_id for row in listing.topics}


def test_new_lists_topics_started_since_a_moment_marking_unread_ones(session: Session) -> None:
    user = add_member(session, "ann")
    forum, (old, read, fresh) = forum_with_topics(
        session, T0 - timedelta(days=3), T0 - timedelta(hours=2), T0 - timedelta(hours=1)
    )
    session.add(TopicRead(user_id=user, topic_id=read, read_at=T0, last_number=2))
    session.commit()
    listings = TopicListings(session)
    since = T0 - timedelta(days=1)
    rows = listings.new(reader_actor({forum}), Reader(user, since), since, 1, 10).topics
    assert [(row.topic.id, row.unread) for row in rows] == [(fresh, True), (read, False)]
    guest_rows = listings.new(reader_actor({forum}), None, since, 1, 10).topics
    assert [row.unread for row in guest_rows] == [False, False]
    assert old not in {row.topic.id for row in guest_rows}


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (1, "1 second"),
        (12, "12 seconds"),
        (119, "119 seconds"),
        (120, "2 minutes"),
        (3599, "60 minutes"),
    ],
)
def test_waits_are_said_in_seconds_then_minutes(seconds: int, said: str) -> None:
    assert wait_phrase(seconds) == said


def test_the_database_is_asked_at_most_once_per_interval_and_after_a_flush(
    session: Session,
) -> None:
    clock = FixedClock(T0)
    record = presence(clock)
    uid = add_member(session, "ann", last_seen=T0 - timedelta(minutes=2))
    online = WhoIsOnline(session, record, clock)
    statements = count_statements(session)

    def selects() -> int:
        return len([s for s in statements if s.startswith("SELECT")])

    assert [m.username for m in online.now().members] == ["ann"]
    online.now()
    assert selects() == 1
    clock.advance(minutes=1)
    online.now()
    assert selects() == 2
    record.member_seen(OnlineMember(uid, "ann"))
    record.flush(session)
    online.now()
    assert selects() == 3

"""Demo content: a realistic forum, written fast enough for a million posts.

:class:`DemoBuilder` creates members of every built-in group, the categories and forums of
:data:`~forumapp.demo.layout.LAYOUT`, and topics and posts whose denormalized
counters are exactly what :class:`~forumapp.forum.counters.Counters` would compute.
``forumapp demo`` (:mod:`forumapp.demo.cli`) runs it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from forumapp.demo.layout import DAY, HISTORY, HOUR, LAYOUT, MINUTE, Cast, make_person
from forumapp.demo.plan import DemoScale, Mark, mark_posts, plan_topics
from forumapp.demo.posts import Board, ContentWriter, MarkedPost, Progress, render_pools
from forumapp.demo.text import TextGenerator
from forumapp.forum.models import Category, Forum, Post, Report, Topic
from forumapp.forum.structure import ForumStructure
from forumapp.persistence import DbSession, atomic
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User, email_key, username_key
from forumapp.users.passwords import Argon2Hasher

Clock = Callable[[], datetime]

#: Every demo account's password: a demo database must never be put on a public site.
DEMO_PASSWORD = "demo password"
BATCH_SIZE = 5_000

SCALES: dict[str, DemoScale] = {
    # For the test suite: the same shape in a few seconds.
    "tiny": DemoScale(members=10, topics=40, posts=400, long_topic_posts=90, bodies=4),
    "small": DemoScale(members=50, topics=3_000, posts=30_000, long_topic_posts=1_000, bodies=40),
    "large": DemoScale(
        members=2_000, topics=60_000, posts=1_000_000, long_topic_posts=100_000, bodies=150
    ),
}

_STAFF = (
    (GroupKey.ADMIN, "demo_admin"),
    (GroupKey.SUPER_MOD, "demo_supermod"),
    (GroupKey.MOD, "mod_greta"),
    (GroupKey.MOD, "mod_hugo"),
)
_BANNED = (GroupKey.BANNED, "grumpy_gus")
_REASONS = (
    "Spam link at the end of the post.",
    "Personal attack on another member.",
    "Off-topic, maybe move it?",
    "Looks like a copy of an older post.",
    "Rude and not helpful.",
)


class DemoRefused(Exception):
    """The database already has forum content; the message says what was found."""


@dataclass(frozen=True)
class DemoSummary:
    """What the demo wrote, and how to log in."""

    categories: int
    forums: int
    accounts: int
    topics: int
    posts: int
    long_topic_id: int
    long_topic_posts: int
    #: ``(group key, username)`` of the staff and the banned member.
    logins: list[tuple[GroupKey, str]]
    sample_member: str
    password: str


class DemoBuilder:
    """Fills an empty forum with demo members, forums, topics, posts and reports."""

    def __init__(
        self,
        session: DbSession,
        hasher: Argon2Hasher,
        clock: Clock,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._session = session
        self._hasher = hasher
        self._clock = clock
        self._batch_size = batch_size

    def ensure_empty(self) -> None:
        """Raise :class:`DemoRefused` unless the forum has no categories and no topics."""
        categories = self._session.scalar(select(func.count()).select_from(Category)) or 0
        topics = self._session.scalar(select(func.count()).select_from(Topic)) or 0
        if categories or topics:
            raise DemoRefused(
                f"This database already has forum content ({categories} categories, "
                f"{topics} topics); demo content only goes into an empty forum."
            )

    def build(
        self, scale: DemoScale, seed: int, progress: Progress = lambda _: None
    ) -> DemoSummary:
        """Write the demo forum; ``progress`` hears how many posts each batch wrote."""
        self.ensure_empty()
        rng = random.Random(seed)  # noqa: S311  (reproducible demo content, not secrets)
        origin = self._clock() - timedelta(microseconds=HISTORY)
        cast = self._create_people(rng, scale, origin)
        boards = self._create_forums(cast)
        plans = plan_topics(rng, scale, [board.spec for board in boards])
        names = [person.username for person in cast.people]
        pools = render_pools(
            TextGenerator(rng, names), {board.spec.theme for board in boards}, scale.bodies
        )
        writer = ContentWriter(
            self._session, rng, cast, boards, origin, mark_posts(rng, plans, scale), pools
        )
        writer.write(
            plans,
            first_topic_id=self._next_id(Topic),
            first_post_id=self._next_id(Post),
            batch_size=self._batch_size,
            progress=progress,
        )
        with atomic(self._session):
            self._file_reports(rng, cast, writer.marked, writer.moment)
            self._store_counters(boards, writer.user_posts)
            self._advance_sequences()
        long_topic = next(plan for plan in plans if plan.long)
        return self._summary(cast, boards, scale, writer.topic_ids[long_topic.index])

    def _create_people(self, rng: random.Random, scale: DemoScale, origin: datetime) -> Cast:
        text, names = TextGenerator(rng, []), _FreeNames(self._session)
        wanted = [
            *_STAFF,
            _BANNED,
            *((GroupKey.MEMBER, text.username()) for _ in range(scale.members)),
        ]
        first_id = self._next_id(User)
        people = [
            make_person(rng, first_id + order, names.claim(username), group, order)
            for order, (group, username) in enumerate(wanted)
        ]
        groups = dict(self._session.execute(select(Group.key, Group.id)).all())
        password_hash = self._hasher.hash(DEMO_PASSWORD)
        rows = [
            {
                "id": person.id,
                "username": person.username,
                "username_key": username_key(person.username),
                "email": _email(person.username),
                "email_key": email_key(_email(person.username)),
                "password_hash": password_hash,
                "activated": True,
                "group_id": groups[person.group],
                "language": "en",
                "date_joined": origin + timedelta(microseconds=person.joined),
                "login_attempts": 0,
                "post_count": 0,
            }
            for person in people
        ]
        with atomic(self._session):
            self._session.execute(insert(User), rows)
        return Cast(people)

    def _create_forums(self, cast: Cast) -> list[Board]:
        structure = ForumStructure(self._session)
        staff_keys = (GroupKey.ADMIN, GroupKey.SUPER_MOD, GroupKey.MOD)
        staff_groups = list(
            self._session.scalars(select(Group.id).where(Group.key.in_(staff_keys)))
        )
        moderators = cast.by_group(GroupKey.MOD)
        boards: list[Board] = []
        for position, category_spec in enumerate(LAYOUT):
            category = structure.create_category(
                category_spec.title, category_spec.description, position
            )
            for forum_position, spec in enumerate(category_spec.forums):
                moderator = moderators[spec.moderator] if spec.moderator is not None else None
                forum = structure.create_forum(
                    category.id,
                    spec.title,
                    spec.description,
                    position=forum_position,
                    locked=spec.locked,
                    visible_to=staff_groups if spec.staff_only else None,
                    moderators=[moderator.id] if moderator else [],
                )
                boards.append(Board(forum.id, spec, moderator))
        return boards

    def _file_reports(
        self,
        rng: random.Random,
        cast: Cast,
        marked: list[MarkedPost],
        moment: Callable[[int], datetime],
    ) -> None:
        """Open reports, and a handled one for every hidden post."""
        super_mod = cast.by_group(GroupKey.SUPER_MOD)[0]
        rows: list[dict[str, Any]] = []
        for item in marked:
            if item.mark is Mark.DELETED:
                continue
            filed = min(item.moment + rng.randint(5 * MINUTE, DAY), HISTORY)
            handled = item.mark is Mark.HIDDEN
            rows.append(
                {
                    "post_id": item.post_id,
                    "reporter_id": cast.pick_reporter(
                        rng, filed, item.author, staff_only=item.board.spec.staff_only
                    ).id,
                    "reason": rng.choice(_REASONS),
                    "created_at": moment(filed),
                    "handled_at": moment(min(filed + 2 * HOUR, HISTORY)) if handled else None,
                    "handled_by_id": (item.board.moderator or super_mod).id if handled else None,
                    "note": "Hidden until the author edits it." if handled else "",
                }
            )
        if rows:
            self._session.execute(insert(Report), rows)

    def _store_counters(self, boards: list[Board], user_posts: dict[int, int]) -> None:
        forum_rows = [
            {"id": board.id, "topic_count": board.topic_count, "post_count": board.post_count}
            | board.last
            for board in boards
        ]
        self._session.execute(update(Forum), forum_rows)
        user_rows = [{"id": user_id, "post_count": count} for user_id, count in user_posts.items()]
        if user_rows:
            self._session.execute(update(User), user_rows)

    def _advance_sequences(self) -> None:
        # Rows were written with explicit ids, which PostgreSQL's sequences do not see.
        if self._session.get_bind().dialect.name != "postgresql":
            return
        for model in (User, Topic, Post):
            sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
            self._session.execute(
                select(func.setval(sequence, select(func.max(model.id)).scalar_subquery()))
            )

    def _next_id(self, model: type[User] | type[Topic] | type[Post]) -> int:
        return (self._session.scalar(select(func.max(model.id))) or 0) + 1

    def _summary(
        self, cast: Cast, boards: list[Board], scale: DemoScale, long_topic_id: int
    ) -> DemoSummary:
        logins = [
            (person.group, person.username)
            for person in cast.people
            if person.group != GroupKey.MEMBER
        ]
        members = cast.by_group(GroupKey.MEMBER)
        busiest = max(members, key=lambda person: person.activity)
        return DemoSummary(
            categories=len(LAYOUT),
            forums=len(boards),
            accounts=len(cast.people),
            topics=scale.topics,
            posts=scale.posts,
            long_topic_id=long_topic_id,
            long_topic_posts=scale.long_topic_posts,
            logins=sorted(logins, key=lambda login: _ROLE_ORDER.index(login[0])),
            sample_member=busiest.username,
            password=DEMO_PASSWORD,
        )


_ROLE_ORDER = (GroupKey.ADMIN, GroupKey.SUPER_MOD, GroupKey.MOD, GroupKey.BANNED)


class _FreeNames:
    """Usernames (and their email addresses) that no existing account uses."""

    def __init__(self, session: DbSession) -> None:
        rows = session.execute(select(User.username_key, User.email_key)).all()
        self._taken = {key for row in rows for key in row}

    def claim(self, wanted: str) -> str:
        name, suffix = wanted, 1
        while username_key(name) in self._taken or email_key(_email(name)) in self._taken:
            suffix += 1
            name = f"{wanted}{suffix}"
        self._taken |= {username_key(name), email_key(_email(name))}
        return name


def _email(username: str) -> str:
    return f"{username.lower()}@example.com"

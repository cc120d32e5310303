"""What ``forumapp demo`` builds: its categories and forums, and the people who write in them."""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from forumapp.users.groups import GroupKey

#: Moments on the demo's timeline are microseconds after the forum opened.
MINUTE = 60 * 1_000_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
#: How long ago the demo forum opened.
HISTORY = 730 * DAY


@dataclass(frozen=True)
class ForumSpec:
    """A demo forum: what it is about and how busy it is."""

    title: str
    description: str
    #: Key of the forum's vocabulary in :data:`forumapp.demo.text.THEMES`.
    theme: str
    #: Share of the topics that go here.
    weight: float
    #: How long its topics run compared with the others.
    chattiness: float = 1.0
    locked: bool = False
    #: Seen (and written in) by the staff groups only.
    staff_only: bool = False
    #: Which of the demo's forum moderators is appointed to it.
    moderator: int | None = None
    #: Home of the one very long topic.
    long_topic: bool = False

    @property
    def staff_writes(self) -> bool:
        """Only staff write here: a locked forum, or one members cannot see."""
        return self.locked or self.staff_only


@dataclass(frozen=True)
class CategorySpec:
    """A demo category and its forums."""

    title: str
    description: str
    forums: tuple[ForumSpec, ...]


LAYOUT: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Welcome",
        "News about this community, introductions and feedback.",
        (
            ForumSpec(
                "Announcements",
                "News from the team. Read-only: discuss in Site feedback.",
                "announcements", 0.5, chattiness=0.2, locked=True,
            ),
            ForumSpec("Introductions", "New here? Say hello.", "introductions", 1.0),
            ForumSpec("Site feedback", "Bugs, ideas and questions about the forum itself.",
                      "feedback", 0.6),
        ),
    ),
    CategorySpec(
        "Workshop",
        "Making physical things.",
        (
            ForumSpec("Electronics", "Microcontrollers, circuits, test gear.", "electronics",
                      1.6, moderator=0),
            ForumSpec("3D printing", "Printers, slicers, filaments and failed prints.",
                      "printing", 1.4, moderator=0),
            ForumSpec("Woodworking", "Joinery, finishing and shop tours.", "woodworking", 1.0),
        ),
    ),
    CategorySpec(
        "Software",
        "Code, the web and the machines it runs on.",
        (
            ForumSpec("Python", "From the first script to packaging.", "python", 1.8,
                      moderator=1),
            ForumSpec("Web development", "Front ends, back ends, everything between.", "web",
                      1.2, moderator=1),
            ForumSpec("Linux and self-hosting", "Servers at home and in the cloud.", "linux",
                      1.1),
        ),
    ),
    CategorySpec(
        "Off the clock",
        "Everything else.",
        (
            ForumSpec("Off-topic", "Coffee, books, bikes, and the long-running threads.",
                      "offtopic", 1.3, chattiness=1.3, long_topic=True),
            ForumSpec("Staff room", "Moderators and administrators only.", "staff", 0.2,
                      chattiness=0.6, staff_only=True),
        ),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    """A demo account, as the content generator sees it."""

    id: int
    username: str
    group: GroupKey
    #: When the account was made, in microseconds on the demo timeline.
    joined: int
    #: Last moment the person may post (the banned member's ban).
    until: int
    #: How much the person writes compared with the others.
    activity: float


class Cast:
    """The demo's people, and who writes a post at a given moment."""

    def __init__(self, people: list[Person]) -> None:
        self.people = sorted(people, key=lambda person: (person.joined, person.id))
        self.staff = [
            person
            for person in self.people
            if person.group in (GroupKey.ADMIN, GroupKey.SUPER_MOD, GroupKey.MOD)
        ]
        self._joined = [person.joined for person in self.people]
        self._cumulative = list(accumulate(person.activity for person in self.people))

    def by_group(self, group: GroupKey) -> list[Person]:
        """The people of one built-in group."""
        return [person for person in self.people if person.group == group]

    def pick(self, rng: random.Random, at: int) -> Person:
        """Someone who may post at ``at``, busier people more often."""
        known = bisect_right(self._joined, at)
        if known == 0:
            raise ValueError("nobody has joined yet")
        while True:
            index = bisect_right(self._cumulative, rng.random() * self._cumulative[known - 1])
            person = self.people[index]
            if person.until >= at:
                return person

    def pick_staff(self, rng: random.Random) -> Person:
        """A member of staff."""
        return rng.choice(self.staff)

    def pick_reporter(
        self, rng: random.Random, at: int, author: Person, *, staff_only: bool
    ) -> Person:
        """Someone other than ``author``, not banned, who could see the post at ``at``."""
        while True:
            reporter = self.pick_staff(rng) if staff_only else self.pick(rng, at)
            if reporter.id != author.id and reporter.group is not GroupKey.BANNED:
                return reporter


def make_person(
    rng: random.Random, user_id: int, username: str, group: GroupKey, order: int
) -> Person:
    """A new account: staff join two months before the forum opens, the banned member three
    weeks before, a quarter of the members in its last month before opening, the rest later.
    """
    if group is GroupKey.MEMBER:
        early = rng.random() < 0.25
        joined = rng.randrange(-30 * DAY, 0) if early else rng.randrange(0, HISTORY - 2 * DAY)
        return Person(user_id, username, group, joined, HISTORY, rng.paretovariate(1.2))
    if group is GroupKey.BANNED:
        # Active until the ban, six weeks ago.
        return Person(user_id, username, group, -20 * DAY, HISTORY - 45 * DAY, 1.5)
    return Person(user_id, username, group, (order - 60) * DAY, HISTORY, 2.0)

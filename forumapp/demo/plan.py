"""The shape of ``forumapp demo``'s content, decided before a row is written.

Which forum each topic goes to, how many posts it gets, when it starts, and which posts a
moderator has deleted, hidden or been sent a report about. Topics are planned in the order
they were started, so topic ids follow time as they would in a real forum.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from forumapp.demo.layout import DAY, HISTORY, ForumSpec


class Mark(StrEnum):
    """What happened to a post after it was written."""

    DELETED = "deleted"
    HIDDEN = "hidden"
    REPORTED = "reported"


@dataclass(frozen=True)
class DemoScale:
    """How much content the demo writes."""

    members: int
    topics: int
    posts: int
    long_topic_posts: int
    #: Distinct rendered post bodies per forum, reused by every post there.
    bodies: int

    @property
    def deleted_posts(self) -> int:
        return max(3, self.posts // 1_500)

    @property
    def hidden_posts(self) -> int:
        return max(2, self.posts // 3_000)

    @property
    def open_reports(self) -> int:
        return min(max(3, self.posts // 5_000), 40)

    @property
    def deleted_topics(self) -> int:
        return max(1, self.topics // 1_000)


@dataclass
class TopicPlan:
    """One topic to write."""

    index: int
    board: int
    #: When it was started, in microseconds after the start of the demo's history.
    start: int
    posts: int
    long: bool = False
    #: The pinned topic each forum opens with.
    welcome: bool = False
    sticky: bool = False
    locked: bool = False
    deleted: bool = False


def plan_topics(rng: random.Random, scale: DemoScale, boards: list[ForumSpec]) -> list[TopicPlan]:
    """Every topic, in the order started: each forum opens with a pinned welcome topic."""
    if scale.topics <= len(boards) or scale.posts < scale.long_topic_posts + scale.topics - 1:
        raise ValueError("the scale has too few topics or posts for the forum layout")
    starts = sorted(rng.randrange(0, HISTORY - DAY) for _ in range(scale.topics))
    weights = [spec.weight for spec in boards]
    plans = [TopicPlan(i, i, starts[i], 1, welcome=True, sticky=True) for i in range(len(boards))]
    plans += [
        TopicPlan(i, board, starts[i], 1)
        for i, board in enumerate(
            rng.choices(range(len(boards)), weights, k=scale.topics - len(boards)),
            start=len(boards),
        )
    ]
    long_topic = plans[len(boards)]
    long_topic.board = next(i for i, spec in enumerate(boards) if spec.long_topic)
    long_topic.long = True
    long_topic.posts = scale.long_topic_posts
    _share_posts(rng, [plan for plan in plans if not plan.long], scale, boards)
    _set_flags(rng, plans, scale, boards)
    return plans


def _share_posts(
    rng: random.Random, plans: list[TopicPlan], scale: DemoScale, boards: list[ForumSpec]
) -> None:
    # Heavy-tailed like real forums: most topics get a few replies, a few get hundreds.
    spare = scale.posts - scale.long_topic_posts - len(plans)
    weights = [rng.paretovariate(1.6) * boards[plan.board].chattiness for plan in plans]
    total = sum(weights)
    for plan, weight in zip(plans, weights, strict=True):
        plan.posts = 1 + int(spare * weight / total)
    leftover = scale.posts - scale.long_topic_posts - sum(plan.posts for plan in plans)
    for plan in rng.choices(plans, k=leftover):
        plan.posts += 1


def _set_flags(
    rng: random.Random, plans: list[TopicPlan], scale: DemoScale, boards: list[ForumSpec]
) -> None:
    for plan in plans:
        plan.sticky = plan.sticky or rng.random() < 0.002
        plan.locked = (plan.sticky and boards[plan.board].locked) or rng.random() < 0.01
    candidates = [
        plan for plan in plans if not (plan.sticky or plan.long or boards[plan.board].staff_writes)
    ]
    for plan in rng.sample(candidates, min(scale.deleted_topics, len(candidates))):
        plan.deleted = True


#: Marks that take a post out of the counts (as ``Counters`` counts).
REMOVED = frozenset({Mark.DELETED, Mark.HIDDEN})


def mark_posts(rng: random.Random, plans: list[TopicPlan], scale: DemoScale) -> dict[int, Mark]:
    """Posts moderators dealt with, keyed ``(topic index, number)`` as ``index << 32 | number``.

    The first post stands for its topic and is never marked; the last post of a topic is
    never deleted or hidden, so a topic's last post is always its newest one.
    """
    live = [plan for plan in plans if not plan.deleted and plan.posts >= 3]
    marks: dict[int, Mark] = {}
    if not live:
        return marks
    sizes = [plan.posts for plan in live]
    wanted = (
        (Mark.DELETED, scale.deleted_posts),
        (Mark.HIDDEN, scale.hidden_posts),
        (Mark.REPORTED, scale.open_reports),
    )
    for mark, count in wanted:
        placed = 0
        for plan in rng.choices(live, sizes, k=count * 3):
            last = plan.posts - 1 if mark in REMOVED else plan.posts
            key = post_key(plan.index, rng.randint(2, last))
            if key not in marks:
                marks[key] = mark
                placed += 1
                if placed == count:
                    break
    return marks


def post_key(topic_index: int, number: int) -> int:
    """The key of a post in :func:`mark_posts`'s result."""
    return topic_index << 32 | number

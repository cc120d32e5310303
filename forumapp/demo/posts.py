"""Writing ``forumapp demo``'s topics and posts in bulk, adding up the counters on the way.

Rows go in with explicit ids through Core-style bulk inserts, one transaction per batch.
Every denormalized counter is computed here while the rows are generated, so nothing has
to be recounted afterwards.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert

from forumapp.demo.layout import HISTORY, HOUR, MINUTE, Cast, ForumSpec, Person
from forumapp.demo.plan import REMOVED, Mark, TopicPlan, post_key
from forumapp.demo.text import TextGenerator
from forumapp.forum.markdown import RENDERER_VERSION, render_markdown
from forumapp.forum.models import Post, Topic
from forumapp.persistence import DbSession, atomic

#: Called with the number of posts just written.
Progress = Callable[[int], None]
Row = dict[str, Any]

#: Share of posts their author edited afterwards.
EDIT_RATE = 0.03
#: Share of replies written by the topic's author.
OWN_REPLY_RATE = 0.2

_TOPICS: Table = Topic.__table__
_POSTS: Table = Post.__table__


@dataclass
class Board:
    """A created forum and what its content adds up to."""

    id: int
    spec: ForumSpec
    moderator: Person | None
    topic_count: int = 0
    post_count: int = 0
    #: The forum's ``last_*`` columns, from its most recently active topic.
    last: Row = field(default_factory=dict)
    last_moment: int = -1


@dataclass(frozen=True)
class MarkedPost:
    """A post a moderator deals with (see :class:`forumapp.demo.plan.Mark`)."""

    post_id: int
    author: Person
    board: Board
    moment: int
    mark: Mark


@dataclass(frozen=True)
class BodyPool:
    """Rendered Markdown bodies for one forum: ``(content, html)`` pairs."""

    openers: list[tuple[str, str]]
    replies: list[tuple[str, str]]


def render_pools(text: TextGenerator, themes: set[str], size: int) -> dict[str, BodyPool]:
    """Render ``size`` opening posts and twice as many replies per theme, each once."""
    return {
        theme: BodyPool(
            [_rendered(text.opening_post(theme)) for _ in range(size)],
            [_rendered(text.reply(theme)) for _ in range(size * 2)],
        )
        for theme in sorted(themes)
    }


def _rendered(content: str) -> tuple[str, str]:
    return content, render_markdown(content)


class _Batches:
    """Topic and post rows waiting to be inserted; topics go first for the foreign keys."""

    def __init__(self, session: DbSession, size: int, progress: Progress) -> None:
        self._session = session
        self._size = size
        self._progress = progress
        self._topics: list[Row] = []
        self._posts: list[Row] = []

    def add_topic(self, row: Row) -> None:
        self._topics.append(row)

    def add_post(self, row: Row) -> None:
        self._posts.append(row)
        if len(self._posts) >= self._size:
            self.flush()

    def flush(self) -> None:
        if not (self._topics or self._posts):
            return
        # Core inserts on the tables: one executemany per batch. The ORM's bulk insert
        # would split a batch wherever the set of non-null columns changes (edited posts).
        with atomic(self._session):
            if self._topics:
                self._session.execute(insert(_TOPICS), self._topics)
            if self._posts:
                self._session.execute(insert(_POSTS), self._posts)
        self._progress(len(self._posts))
        self._topics, self._posts = [], []


class ContentWriter:
    """Writes planned topics with their posts and tallies forum and member counters."""

    def __init__(
        self,
        session: DbSession,
        rng: random.Random,
        cast: Cast,
        boards: list[Board],
        origin: datetime,
        marks: dict[int, Mark],
        pools: dict[str, BodyPool],
    ) -> None:
        self._rng = rng
        self._cast = cast
        self._boards = boards
        self._origin = origin
        self._marks = marks
        self._pools = pools
        self._text = TextGenerator(rng, [])
        self._removed_in = Counter(key >> 32 for key, mark in marks.items() if mark in REMOVED)
        # A forum's last post is its topic with the newest last post: no two may tie.
        self._last_moments: set[int] = set()
        self._session = session
        #: Visible posts per member, as ``Counters.recount_users`` counts them.
        self.user_posts: Counter[int] = Counter()
        self.marked: list[MarkedPost] = []
        #: Topic ids by plan index.
        self.topic_ids: dict[int, int] = {}

    def write(
        self,
        plans: list[TopicPlan],
        *,
        first_topic_id: int,
        first_post_id: int,
        batch_size: int,
        progress: Progress,
    ) -> None:
        """Write every topic in ``plans``, committing every ``batch_size`` posts."""
        batches = _Batches(self._session, batch_size, progress)
        post_id = first_post_id
        for topic_id, plan in enumerate(plans, start=first_topic_id):
            self.topic_ids[plan.index] = topic_id
            self._write_topic(batches, plan, topic_id, post_id)
            post_id += plan.posts
        batches.flush()

    def moment(self, moment: int) -> datetime:
        """The datetime of a moment on the demo timeline."""
        return self._origin + timedelta(microseconds=moment)

    def _write_topic(self, batches: _Batches, plan: TopicPlan, topic_id: int, post_id: int) -> None:
        board = self._boards[plan.board]
        moments = self._moments(plan)
        authors = self._authors(plan, board.spec, moments)
        title = self._title(plan, board.spec)
        visible = plan.posts - self._removed_in[plan.index]
        last = {
            "last_post_id": post_id + plan.posts - 1,
            "last_post_at": self.moment(moments[-1]),
            "last_poster_name": authors[-1].username,
        }
        batches.add_topic(
            {
                "id": topic_id,
                "forum_id": board.id,
                "user_id": authors[0].id,
                "author_name": authors[0].username,
                "title": title,
                "created_at": self.moment(moments[0]),
                "locked": plan.locked,
                "sticky": plan.sticky,
                "deleted": plan.deleted,
                "post_number_seq": plan.posts,
                "post_count": visible,
                "views": plan.posts * self._rng.randint(3, 30) + self._rng.randint(0, 40),
                **last,
            }
        )
        self._write_posts(batches, plan, board, post_id, moments, authors)
        if not plan.deleted:
            board.topic_count += 1
            board.post_count += visible
            if moments[-1] > board.last_moment:
                board.last_moment = moments[-1]
                board.last = {"last_topic_id": topic_id, "last_topic_title": title, **last}

    def _write_posts(
        self,
        batches: _Batches,
        plan: TopicPlan,
        board: Board,
        first_id: int,
        moments: list[int],
        authors: list[Person],
    ) -> None:
        rng, pool, now = self._rng, self._pools[board.spec.theme], HISTORY
        for offset, (moment, author) in enumerate(zip(moments, authors, strict=True)):
            mark = self._marks.get(post_key(plan.index, offset + 1))
            bodies = pool.replies if offset else pool.openers
            content, html = bodies[rng.randrange(len(bodies))]
            edited = rng.random() < EDIT_RATE
            batches.add_post(
                {
                    "id": first_id + offset,
                    "topic_id": self.topic_ids[plan.index],
                    "number": offset + 1,
                    "user_id": author.id,
                    "author_name": author.username,
                    "content": content,
                    "html": html,
                    "renderer_version": RENDERER_VERSION,
                    "created_at": self.moment(moment),
                    "edited_at": (
                        self.moment(min(moment + rng.randint(1, 30) * MINUTE, now))
                        if edited
                        else None
                    ),
                    "edited_by": author.username if edited else None,
                    "deleted": mark is Mark.DELETED,
                    "hidden": mark is Mark.HIDDEN,
                }
            )
            if mark is not None:
                self.marked.append(MarkedPost(first_id + offset, author, board, moment, mark))
            if not plan.deleted and mark not in REMOVED:
                self.user_posts[author.id] += 1

    def _moments(self, plan: TopicPlan) -> list[int]:
        """Strictly increasing post times; long topics run until now, others for a while."""
        rng, moments = self._rng, [plan.start]
        if plan.posts > 1:
            room = HISTORY - MINUTE - plan.start
            typical_gap = rng.lognormvariate(math.log(3 * HOUR), 1.0)
            span = room if plan.long else min(room, int(plan.posts * typical_gap))
            gaps = [rng.expovariate(1.0) for _ in range(plan.posts - 1)]
            step, moment = span / sum(gaps), float(plan.start)
            for gap in gaps:
                moment += gap * step
                moments.append(max(int(moment), moments[-1] + 1))
        while moments[-1] in self._last_moments:
            moments[-1] += 1
        self._last_moments.add(moments[-1])
        return moments

    def _authors(self, plan: TopicPlan, spec: ForumSpec, moments: list[int]) -> list[Person]:
        rng, cast = self._rng, self._cast
        if spec.staff_writes:
            return [cast.pick_staff(rng) for _ in moments]
        opener = cast.pick(rng, moments[0])
        authors = [opener]
        for moment in moments[1:]:
            own = rng.random() < OWN_REPLY_RATE and opener.until >= moment
            authors.append(opener if own else cast.pick(rng, moment))
        return authors

    def _title(self, plan: TopicPlan, spec: ForumSpec) -> str:
        if plan.long:
            return "The everything thread: what are you working on?"
        if plan.welcome:
            return f"Welcome to {spec.title}: please read before posting"
        return self._text.title(spec.theme)

"""Reading state (what a member has read), buffered topic view counts, and what a visit
to a topic page records of both."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import case, update

from forumapp.forum.models import ForumRead, Topic, TopicRead
from forumapp.persistence import DbSession, atomic, best_effort, upsert
from forumapp.users.models import User

Clock = Callable[[], datetime]


class ReadTracker:
    """Records how far members have read topics, and "mark read" for forums and all."""

    def __init__(self, session: DbSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def topic_seen(self, user_id: int, topic_id: int, up_to_number: int) -> None:
        """Remember that the member has seen the topic up to post ``up_to_number``."""
        read = self._session.get(TopicRead, (user_id, topic_id))
        if read is not None and read.last_number >= up_to_number:
            return  # nothing new: no write on a re-read page
        # An upsert, because two tabs may open the topic at the same moment; the reading
        # position only ever moves forward.
        values = {
            "user_id": user_id,
            "topic_id": topic_id,
            "read_at": self._clock(),
            "last_number": up_to_number,
        }
        with atomic(self._session):
            upsert(
                self._session,
                TopicRead,
                values,
                conflict=("user_id", "topic_id"),
                update=lambda new: {
                    "read_at": new.read_at,
                    "last_number": case(
                        (new.last_number > TopicRead.last_number, new.last_number),
                        else_=TopicRead.last_number,
                    ),
                },
            )

    def mark_forum_read(self, user_id: int, forum_id: int) -> None:
        """Everything in the forum up to now counts as read."""
        values = {"user_id": user_id, "forum_id": forum_id, "cleared_at": self._clock()}
        with atomic(self._session):
            upsert(
                self._session,
                ForumRead,
                values,
                conflict=("user_id", "forum_id"),
                update=lambda new: {"cleared_at": new.cleared_at},
            )

    def mark_all_read(self, user_id: int) -> None:
        """Everything everywhere up to now counts as read."""
        with atomic(self._session):
            self._session.execute(
                update(User).where(User.id == user_id).values(all_read_at=self._clock())
            )


class ViewCounter:
    """Counts topic views in memory and writes them in one batch now and then.

    A write per page view would serialize readers on the database; a lost batch when a
    worker dies costs a few view counts, which is an acceptable trade.
    """

    def __init__(self, flush_every: int = 100, flush_seconds: float = 30.0) -> None:
        self._pending: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._flush_every = flush_every
        self._flush_seconds = flush_seconds
        self._last_flush = time.monotonic()

    def seen(self, topic_id: int) -> None:
        """Count one view of a topic."""
        with self._lock:
            self._pending[topic_id] += 1

    def due(self) -> bool:
        """Whether enough views or time have accumulated to write them."""
        with self._lock:
            total = sum(self._pending.values())
        return total >= self._flush_every or (
            total > 0 and time.monotonic() - self._last_flush >= self._flush_seconds
        )

    def flush(self, session: DbSession) -> None:
        """Add the pending views to the topics, in one transaction; when it fails they
        stay pending for the next flush."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return
        try:
            with atomic(session):
                for topic_id, views in pending.items():
                    session.execute(
                        update(Topic).where(Topic.id == topic_id).values(views=Topic.views + views)
                    )
        except BaseException:
            with self._lock:
                self._pending.update(pending)
            raise


class TopicVisits:
    """Records a visit to a topic page: one view (written in batches) and, for a member,
    how far they have read.

    The page must not wait for writers, nor fail because of them: both writes give up
    after ``wait_ms`` (the views stay counted in memory) and a failure is logged.
    """

    def __init__(
        self, session: DbSession, counter: ViewCounter, tracker: ReadTracker, wait_ms: int
    ) -> None:
        self._session = session
        self._counter = counter
        self._tracker = tracker
        self._wait_ms = wait_ms

    def record(self, topic_id: int, user_id: int | None, last_number: int | None) -> None:
        """Count a view of the topic; for a member, mark posts up to ``last_number`` read."""
        self._counter.seen(topic_id)
        if self._counter.due():
            with best_effort(self._session, self._wait_ms, "writing view counts"):
                self._counter.flush(self._session)
        if user_id is not None and last_number is not None:
            with best_effort(self._session, self._wait_ms, "recording the reading position"):
                self._tracker.topic_seen(user_id, topic_id, last_number)

"""Moderation: lock, pin, move, delete, restore and hide, one topic or many at once;
and the report queue.

Every action names the forum it is taken in, and only topics of that forum are touched:
a moderator of one forum cannot act on another forum's topics by sending their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from forumapp.forum.counters import Counters
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.events import ForumEvents
from forumapp.forum.lookups import visible_forum, visible_post
from forumapp.forum.models import Forum, Post, Report, Topic
from forumapp.forum.permissions import Actor
from forumapp.persistence import DbSession, atomic

Clock = Callable[[], datetime]


class TopicAction(StrEnum):
    """What a moderator can do to topics."""

    LOCK = "lock"
    UNLOCK = "unlock"
    STICK = "stick"
    UNSTICK = "unstick"
    DELETE = "delete"
    RESTORE = "restore"
    MOVE = "move"


class PostAction(StrEnum):
    """What a moderator can do to a single post."""

    DELETE = "delete"
    RESTORE = "restore"
    HIDE = "hide"
    UNHIDE = "unhide"


_FLAGS: dict[TopicAction, tuple[str, bool]] = {
    TopicAction.LOCK: ("locked", True),
    TopicAction.UNLOCK: ("locked", False),
    TopicAction.STICK: ("sticky", True),
    TopicAction.UNSTICK: ("sticky", False),
    TopicAction.DELETE: ("deleted", True),
    TopicAction.RESTORE: ("deleted", False),
}


@dataclass(frozen=True)
class OpenReport:
    """A report in the moderation queue."""

    report: Report
    post: Post
    topic: Topic
    forum_title: str


@dataclass(frozen=True)
class ModerationEvent:
    """A moderation action that was taken, for whoever keeps a record of them: it names
    who took it and from where, so an observer needs nothing from the request."""

    action: str
    target_type: str
    target_id: int
    target_label: str
    details: str = ""
    actor_id: int | None = None
    actor_name: str = ""
    #: The client address the action came from, as the caller passed it ("" if none).
    client_address: str = ""


#: Called inside the action's transaction, so the record commits with the action.
ModerationObserver = Callable[[ModerationEvent], None]


class ModerationService:
    """Applies moderation actions for an actor who moderates the forum concerned, and
    reports each one, inside the action's transaction, to an observer (the management
    panel's audit log) and to ``events`` (notifications, which act once it commits)."""

    def __init__(
        self,
        session: DbSession,
        clock: Clock,
        observer: ModerationObserver | None = None,
        events: ForumEvents | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._counters = Counters(session)
        self._observer = observer
        self._events = events
        self._taken: list[ModerationEvent] = []

    def _notify(
        self,
        actor: Actor,
        client_address: str,
        action: str,
        target: tuple[str, int, str],
        details: str = "",
    ) -> None:
        target_type, target_id, target_label = target
        event = ModerationEvent(
            action,
            target_type,
            target_id,
            target_label,
            details,
            actor_id=actor.user_id,
            actor_name=actor.username,
            client_address=client_address,
        )
        if self._observer is not None:
            self._observer(event)
        self._taken.append(event)

    def _announce(self) -> None:
        # Called at the end of the actions' unit of work: the events act once it commits,
        # and never when it rolls back.
        taken, self._taken = self._taken, []
        if self._events is not None and taken:
            self._events.moderated(taken)

    def act_on_topics(
        self,
        actor: Actor,
        forum_id: int,
        topic_ids: Sequence[int],
        action: TopicAction,
        target_forum_id: int | None = None,
        *,
        client_address: str = "",
    ) -> int:
        """Apply ``action`` to topics of ``forum_id``; returns how many were changed
        (topics already in the wanted state are left alone). ``client_address`` is where
        the request came from, for the record of the action."""
        forum = self._moderated_forum(actor, forum_id)
        wanted = set(topic_ids)
        if not wanted:
            raise InvalidInput("topic_ids", "Select at least one topic.")
        topics = self._session.scalars(
            select(Topic).where(Topic.id.in_(wanted), Topic.forum_id == forum.id)
        ).all()
        if len(topics) != len(wanted):
            # Ids from another forum (or none at all) are refused as a whole.
            raise NotFound
        self._taken.clear()  # nothing of an earlier call that failed
        with atomic(self._session):
            if action is TopicAction.MOVE:
                self._move(actor, forum, topics, target_forum_id)
            else:
                attribute, value = _FLAGS[action]
                changed = [topic for topic in topics if getattr(topic, attribute) != value]
                topics = changed
                for topic in changed:
                    setattr(topic, attribute, value)
                if attribute == "deleted" and changed:
                    self._counters.recount_forum(forum)
                    self._counters.topics_visibility_changed(
                        [topic.id for topic in changed], visible=not value
                    )
            for topic in topics:
                details = f"to forum #{target_forum_id}" if action is TopicAction.MOVE else ""
                self._notify(
                    actor,
                    client_address,
                    f"topic.{action}",
                    ("topic", topic.id, topic.title),
                    details,
                )
            self._announce()
        return len(topics)

    def reportable_post(self, actor: Actor, post_id: int) -> tuple[Post, Topic]:
        """A post the actor may see and report, with its topic; deleted ones are gone."""
        post, topic, _ = visible_post(self._session, actor, post_id)
        if post.deleted:
            raise NotFound
        return post, topic

    def act_on_post(
        self, actor: Actor, post_id: int, action: PostAction, *, client_address: str = ""
    ) -> Post:
        """Delete, restore, hide or unhide one reply (the first post stands for its topic);
        ``client_address`` is where the request came from, for the record."""
        post, topic, forum = visible_post(self._session, actor, post_id)
        if not actor.moderates(forum.id):
            raise Forbidden("You do not moderate this forum.")
        if post.number == 1 and action in (PostAction.DELETE, PostAction.RESTORE):
            raise InvalidInput("action", "Delete or restore the whole topic instead.")
        self._taken.clear()  # nothing of an earlier call that failed
        with atomic(self._session):
            # Hidden posts count as removed, like deleted ones: they stop being the last
            # post, a reply, and one of their author's posts.
            if action in (PostAction.HIDE, PostAction.UNHIDE):
                post.hidden = action is PostAction.HIDE
            else:
                post.deleted = action is PostAction.DELETE
            self._counters.recount_topic(topic)
            self._counters.recount_forum(forum)
            if post.user_id is not None:
                self._counters.recount_users({post.user_id})
            label = f"#{post.number} in {topic.title}"
            self._notify(actor, client_address, f"post.{action}", ("post", post.id, label))
            self._announce()
        return post

    def report(self, actor: Actor, post_id: int, reason: str) -> Report:
        """File a member's report of a post."""
        post, topic, _ = visible_post(self._session, actor, post_id)
        if post.deleted:
            raise NotFound
        if not actor.can_report(topic):
            raise Forbidden("Log in to report a post.")
        already: Report | None = self._session.scalar(
            select(Report).where(
                Report.post_id == post_id,
                Report.reporter_id == actor.user_id,
                Report.handled_at.is_(None),
            )
        )
        if already is not None:
            return already  # one open report per member and post is enough
        with atomic(self._session):
            report = Report(
                post_id=post_id, reporter_id=actor.user_id, reason=reason, created_at=self._clock()
            )
            self._session.add(report)
        return report

    def open_reports(
        self, actor: Actor, limit: int = 100, *, handled: bool = False
    ) -> list[OpenReport]:
        """Reports in the forums the actor moderates: open ones oldest first, or handled
        ones newest first."""
        query = (
            select(Report, Post, Topic, Forum.title)
            .join(Post, Post.id == Report.post_id)
            .join(Topic, Topic.id == Post.topic_id)
            .join(Forum, Forum.id == Topic.forum_id)
            .where(Report.handled_at.is_not(None) if handled else Report.handled_at.is_(None))
            .order_by(Report.handled_at.desc() if handled else Report.created_at)
            .limit(limit)
        )
        if not actor.is_global_moderator:
            query = query.where(Topic.forum_id.in_(actor.moderated_forums))
        return [OpenReport(*row) for row in self._session.execute(query).all()]

    def handle_report(
        self, actor: Actor, report_id: int, note: str, *, client_address: str = ""
    ) -> Report:
        """Mark a report handled, with the moderator's note; ``client_address`` is where
        the request came from, for the record."""
        row = self._session.execute(
            select(Report, Topic.forum_id)
            .join(Post, Post.id == Report.post_id)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Report.id == report_id, Report.handled_at.is_(None))
        ).first()
        if row is None or not actor.moderates(row[1]):
            raise NotFound  # unknown, already handled, or not this moderator's forum
        report = row[0]
        with atomic(self._session):
            report.handled_at = self._clock()
            report.handled_by_id = actor.user_id
            report.note = note
            self._notify(
                actor,
                client_address,
                "report.handle",
                ("report", report.id, f"post #{report.post_id}"),
                note,
            )
            self._taken.clear()  # announced as a handled report, not as an action
            if self._events is not None:
                self._events.report_handled(report.id)
        return report

    def _move(
        self, actor: Actor, source: Forum, topics: Sequence[Topic], target_forum_id: int | None
    ) -> None:
        if target_forum_id is None or target_forum_id == source.id:
            raise InvalidInput("target_forum_id", "Choose another forum to move the topics to.")
        target = self._session.get(Forum, target_forum_id)
        if target is None or not actor.can_view_forum(target.id) or not actor.moderates(target.id):
            raise InvalidInput("target_forum_id", "You cannot move topics to that forum.")
        for topic in topics:
            topic.forum_id = target.id
        self._counters.recount_forum(source)
        self._counters.recount_forum(target)

    def _moderated_forum(self, actor: Actor, forum_id: int) -> Forum:
        forum = visible_forum(self._session, actor, forum_id)
        if not actor.moderates(forum.id):
            raise Forbidden("You do not moderate this forum.")
        return forum

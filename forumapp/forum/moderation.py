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
from forumapp.forum.models import Category, Forum, Post, Report, Topic
from forumapp.forum.permissions import Actor
from forumapp.forum.posting import Budget
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession, atomic

Clock = Callable[[], datetime]


class TopicAction(StrEnum):
    """What a moderator can do to topics."""

    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
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
    # The column keeps its old name; everything people read says "pin".
    TopicAction.PIN: ("sticky", True),
    TopicAction.UNPIN: ("sticky", False),
    TopicAction.DELETE: ("deleted", True),
    TopicAction.RESTORE: ("deleted", False),
}

#: Actions that remove content or bring it back: they need the ``makehidden`` flag.
REMOVALS = frozenset(
    {TopicAction.DELETE, TopicAction.RESTORE, PostAction.DELETE, PostAction.RESTORE}
    | {PostAction.HIDE, PostAction.UNHIDE}
)


@dataclass(frozen=True)
class TopicsChanged:
    """What a topic action did: the topics it changed (those already in the wanted state
    are left out) and, for a move, the title of the forum they went to."""

    action: TopicAction
    topic_ids: tuple[int, ...]
    target_forum_title: str = ""

    @property
    def count(self) -> int:
        """How many topics changed."""
        return len(self.topic_ids)


@dataclass(frozen=True)
class ForumChoices:
    """Forums a moderator may move topics to, under their category's title."""

    category: str
    forums: list[tuple[int, str]]


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
    panel's audit log) and to ``forum_events`` (notifications, which act once it commits)."""

    def __init__(
        self,
        session: DbSession,
        clock: Clock,
        observer: ModerationObserver | None = None,
        reports: Budget | None = None,
        forum_events: ForumEvents | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._counters = Counters(session)
        self._observer = observer
        #: Flood control of reports (each member's own budget); ``None``: not counted.
        self._reports = reports
        #: Told of actions and handled reports inside their unit of work (notifications).
        self._events = forum_events
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

    def move_targets(self, actor: Actor, forum_id: int) -> list[ForumChoices]:
        """The forums, other than ``forum_id``, that the actor sees and moderates, grouped
        by category in index order (one query)."""
        query = (
            select(Forum.id, Forum.title, Category.id, Category.title)
            .join(Category, Category.id == Forum.category_id)
            .where(Forum.id.in_(sorted(actor.visible_forums)), Forum.id != forum_id)
            .order_by(Category.position, Category.id, Forum.position, Forum.id)
        )
        if not actor.is_global_moderator:
            query = query.where(Forum.id.in_(sorted(actor.moderated_forums)))
        groups: list[ForumChoices] = []
        last_category = None
        for target_id, title, category_id, category in self._session.execute(query).all():
            if category_id != last_category:
                groups.append(ForumChoices(category, []))
                last_category = category_id
            groups[-1].forums.append((target_id, title))
        return groups

    def topics_for_action(
        self, actor: Actor, forum_id: int, topic_ids: Sequence[int], action: TopicAction
    ) -> list[Topic]:
        """The topics of ``forum_id`` an action would touch, for a confirmation page; the
        same refusals as :meth:`act_on_topics`, nothing changed."""
        _, topics = self._selection(actor, forum_id, topic_ids, action)
        return sorted(topics, key=lambda topic: topic.id)

    def act_on_topics(
        self,
        actor: Actor,
        forum_id: int,
        topic_ids: Sequence[int],
        action: TopicAction,
        target_forum_id: int | None = None,
        *,
        client_address: str = "",
    ) -> TopicsChanged:
        """Apply ``action`` to topics of ``forum_id``, all of them or none; says which
        changed (topics already in the wanted state are left alone). ``client_address``
        is where the request came from, for the record of the action."""
        forum, topics = self._selection(actor, forum_id, topic_ids, action)
        target_title = ""
        self._taken.clear()  # nothing of an earlier call that failed
        with atomic(self._session):
            if action is TopicAction.MOVE:
                target_title = self._move(actor, forum, topics, target_forum_id).title
            else:
                attribute, value = _FLAGS[action]
                topics = [topic for topic in topics if getattr(topic, attribute) != value]
                for topic in topics:
                    setattr(topic, attribute, value)
                if attribute == "deleted" and topics:
                    self._mark_deleted(actor, topics, value)
                    self._counters.recount_forum(forum)
                    self._counters.topics_visibility_changed(
                        [topic.id for topic in topics], visible=not value
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
        return TopicsChanged(action, tuple(sorted(topic.id for topic in topics)), target_title)

    def _selection(
        self, actor: Actor, forum_id: int, topic_ids: Sequence[int], action: TopicAction
    ) -> tuple[Forum, Sequence[Topic]]:
        forum = self._moderated_forum(actor, forum_id)
        if action in REMOVALS and not actor.may_remove(forum.id):
            raise Forbidden(_l("Your group may not delete or restore topics."))
        wanted = set(topic_ids)
        if not wanted:
            raise InvalidInput("topic_ids", _l("Select at least one topic."))
        topics = self._session.scalars(
            select(Topic).where(Topic.id.in_(wanted), Topic.forum_id == forum.id)
        ).all()
        if len(topics) != len(wanted):
            # Ids from another forum (or none at all) are refused as a whole.
            raise NotFound
        return forum, topics

    def _mark_deleted(self, actor: Actor, removed: Sequence[Topic | Post], deleted: bool) -> None:
        """Note who deleted and when, for the marker staff see; a restore clears it."""
        for item in removed:
            item.deleted_at = self._clock() if deleted else None
            item.deleted_by = actor.username if deleted else None

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
            raise Forbidden(_l("You do not moderate this forum."))
        if not actor.may_remove(forum.id):
            raise Forbidden(_l("Your group may not hide, delete or restore posts."))
        if post.number == 1 and action in (PostAction.DELETE, PostAction.RESTORE):
            raise InvalidInput("action", _l("Delete or restore the whole topic instead."))
        self._taken.clear()  # nothing of an earlier call that failed
        with atomic(self._session):
            # Hidden posts count as removed, like deleted ones: they stop being the last
            # post, a reply, and one of their author's posts.
            if action in (PostAction.HIDE, PostAction.UNHIDE):
                post.hidden = action is PostAction.HIDE
            elif post.deleted != (action is PostAction.DELETE):
                post.deleted = action is PostAction.DELETE
                self._mark_deleted(actor, [post], post.deleted)
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
            raise Forbidden(_l("Log in to report a post."))
        if self._reports is not None:
            self._reports.take(actor)
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

    def record_report(
        self, actor: Actor, report: Report, resolution: str, client_address: str = ""
    ) -> None:
        """Record that a report was resolved, and how, in the caller's unit of work."""
        self._notify(
            actor,
            client_address,
            "report.resolve",
            ("report", report.id, f"post #{report.post_id}"),
            f"{resolution or 'handled'}; {report.note}".strip("; "),
        )
        self._taken.pop()  # told as a handled report, not as an action on content
        if self._events is not None:
            self._events.report_handled(report.id)

    def _move(
        self, actor: Actor, source: Forum, topics: Sequence[Topic], target_forum_id: int | None
    ) -> Forum:
        if target_forum_id is None or target_forum_id == source.id:
            raise InvalidInput("target_forum_id", _l("Choose another forum to move the topics to."))
        target = self._session.get(Forum, target_forum_id)
        if target is None or not actor.can_view_forum(target.id) or not actor.moderates(target.id):
            raise InvalidInput("target_forum_id", _l("You cannot move topics to that forum."))
        for topic in topics:
            topic.forum_id = target.id
        self._counters.recount_forum(source)
        self._counters.recount_forum(target)
        return target

    def _moderated_forum(self, actor: Actor, forum_id: int) -> Forum:
        forum = visible_forum(self._session, actor, forum_id)
        if not actor.moderates(forum.id):
            raise Forbidden(_l("You do not moderate this forum."))
        return forum

"""Writing notifications for what happened in the forum, a few statements per event
whatever the number of members concerned.

A reply watched by 10,000 members is two statements: one ``UPDATE`` of the unread lines
it joins ("alice and 4 other replies in …") and one ``INSERT ... SELECT`` of new lines
for everyone else, both run by the database over the watchers' rows. The email each line
is due for (immediately, in a digest, never) is decided in the same statements from the
members' choices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from forumapp.forum.markdown import references
from forumapp.forum.models import Post, Report, Topic
from forumapp.forum.moderation import ModerationEvent
from forumapp.messages.models import Conversation, Message, Participant
from forumapp.notifications.audience import not_muted, sees_forum, topic_level_is
from forumapp.notifications.kinds import DEFAULT_EMAIL, GROUPED, MODERATION_NOTICES, Kind, Level
from forumapp.notifications.models import (
    EmailChoice,
    ForumWatch,
    Notification,
    TopicWatch,
    WatchPreference,
)
from forumapp.persistence import DbSession, atomic
from forumapp.users.blocks import has_blocked
from forumapp.users.models import User, username_key

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class FanOutSettings:
    """Bounds of the fan-out."""

    #: Mentions (and quoted posts) of one post that notify (``NOTIFICATIONS_MAX_MENTIONS``).
    max_mentions: int


@dataclass(frozen=True)
class Event:
    """What one notification line says."""

    kind: Kind
    topic_id: int | None
    post_id: int | None
    actor_id: int | None
    actor_name: str
    subject: str
    detail: str = ""
    #: The private conversation a message notification opens.
    conversation_id: int | None = None


class FanOut:
    """Writes the notifications of forum events, one transaction per event."""

    def __init__(self, session: DbSession, clock: Clock, settings: FanOutSettings) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings

    def post_saved(self, post_id: int) -> None:
        """Notify of a new post: mentions, quotes, the topic's author, its watchers (or the
        forum's, for a new topic); and let the author watch the topic if they wish."""
        row = self._session.execute(
            select(Post, Topic).join(Topic, Topic.id == Post.topic_id).where(Post.id == post_id)
        ).first()
        if row is None:
            return
        post, topic = row
        if post.deleted or post.hidden or topic.deleted:
            return
        first = post.number == 1
        base = Event(Kind.REPLY, topic.id, post.id, post.user_id, post.author_name, topic.title)
        with atomic(self._session):
            if post.user_id is not None:
                self._auto_watch(post.user_id, topic.id, first)
            told = self._direct(post, topic, base, first)
            audience = and_(
                User.id != (post.user_id or 0),
                User.id.not_in(told) if told else literal(True),
                sees_forum(topic.forum_id),
            )
            if first:
                watchers = self._forum_watchers(topic.forum_id)
                self._deliver(_with(base, Kind.NEW_TOPIC), watchers.where(audience))
            else:
                watchers = self._topic_watchers(topic.id)
                self._deliver(base, watchers.where(audience))

    def moderated(self, events: Sequence[ModerationEvent]) -> None:
        """Tell authors what a moderator did to their topics and posts."""
        with atomic(self._session):
            for event in events:
                wording = MODERATION_NOTICES.get(event.action)
                if wording is not None:
                    self._moderation_notice(event, wording)

    def report_handled(self, report_id: int) -> None:
        """Tell a member that their report was handled."""
        row = self._session.execute(
            select(Report, Post.topic_id, Topic.title, Topic.forum_id)
            .join(Post, Post.id == Report.post_id)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Report.id == report_id)
        ).first()
        if row is None or row[0].reporter_id is None or row[0].handled_at is None:
            return
        report, topic_id, title, forum_id = row
        moderator = self._session.get(User, report.handled_by_id) if report.handled_by_id else None
        event = Event(
            Kind.REPORT_RESOLVED,
            topic_id,
            report.post_id,
            report.handled_by_id,
            moderator.username if moderator else "",
            title,
            # How it was resolved (dismissed, post deleted...); "" for a note only.
            detail=report.resolution,
        )
        with atomic(self._session):
            self._deliver(
                event,
                select(User.id).where(User.id == report.reporter_id, sees_forum(forum_id)),
            )

    def message_sent(self, message_id: int) -> None:
        """Tell the other participants of a private conversation of a new message
        (those who muted it hear nothing)."""
        row = self._session.execute(
            select(Message, Conversation.subject)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.id == message_id)
        ).first()
        if row is None:
            return
        message, subject = row
        event = Event(
            Kind.PRIVATE_MESSAGE,
            None,
            None,
            message.author_id,
            message.author_name,
            subject,
            conversation_id=message.conversation_id,
        )
        audience = (
            select(User.id)
            .join(Participant, Participant.user_id == User.id)
            .where(
                Participant.conversation_id == message.conversation_id,
                Participant.user_id != (message.author_id or 0),
                Participant.muted.is_(False),
            )
        )
        with atomic(self._session):
            self._deliver(event, audience)

    def _moderation_notice(self, event: ModerationEvent, wording: str) -> None:
        query: Select[*tuple[Any, ...]]
        if event.target_type == "topic":
            query = select(Topic.user_id, Topic.id, Topic.title, Topic.forum_id, literal(None))
            query = query.where(Topic.id == event.target_id)
        else:
            query = select(Post.user_id, Topic.id, Topic.title, Topic.forum_id, Post.id)
            query = query.join(Topic, Topic.id == Post.topic_id).where(Post.id == event.target_id)
        found = self._session.execute(query).first()
        if found is None or found[0] is None or found[0] == event.actor_id:
            return
        author_id, topic_id, title, forum_id, post_id = found
        notice = Event(
            Kind.MODERATION,
            topic_id,
            post_id,
            event.actor_id,
            event.actor_name,
            title,
            detail=event.action,
        )
        self._deliver(notice, select(User.id).where(User.id == author_id, sees_forum(forum_id)))

    def _direct(self, post: Post, topic: Topic, base: Event, first: bool) -> list[int]:
        """Notify the members the post names (mentions, authors of quoted posts, the
        topic's author), each once, by the most personal kind; returns the members named
        by a mention or quote, whom watching the topic adds nothing for."""
        found = references(post.content)
        limit = self._settings.max_mentions
        chosen: dict[int, Kind] = {}
        names = [username_key(name) for name in found.mentions[:limit]]
        if names:
            for user_id in self._session.scalars(
                select(User.id).where(User.username_key.in_(names))
            ):
                chosen.setdefault(user_id, Kind.MENTION)
        if found.quoted_posts:
            for author_id in self._session.scalars(
                select(Post.user_id).where(
                    Post.id.in_(found.quoted_posts[:limit]), Post.user_id.is_not(None)
                )
            ):
                if author_id is not None:
                    chosen.setdefault(author_id, Kind.QUOTE)
        if not first and topic.user_id is not None:
            chosen.setdefault(topic.user_id, Kind.TOPIC_REPLY)
        chosen.pop(post.user_id or 0, None)
        for kind in (Kind.MENTION, Kind.QUOTE, Kind.TOPIC_REPLY):
            ids = [user_id for user_id, chosen_kind in chosen.items() if chosen_kind is kind]
            if not ids:
                continue
            audience = select(User.id).where(
                User.id.in_(ids), sees_forum(topic.forum_id), not_muted(topic.id, topic.forum_id)
            )
            if kind is Kind.TOPIC_REPLY:
                # An author who watches their topic hears of the reply as a watcher.
                audience = audience.where(~topic_level_is(topic.id, Level.WATCHING))
            self._deliver(_with(base, kind), audience)
        return [user_id for user_id, kind in chosen.items() if kind is not Kind.TOPIC_REPLY]

    def _topic_watchers(self, topic_id: int) -> Select[Any]:
        return (
            select(User.id)
            .join(TopicWatch, TopicWatch.user_id == User.id)
            .where(TopicWatch.topic_id == topic_id, TopicWatch.level == Level.WATCHING)
        )

    def _forum_watchers(self, forum_id: int) -> Select[Any]:
        return (
            select(User.id)
            .join(ForumWatch, ForumWatch.user_id == User.id)
            .where(ForumWatch.forum_id == forum_id, ForumWatch.level == Level.WATCHING)
        )

    def _deliver(self, event: Event, audience: Select[Any]) -> None:
        """Write ``event`` for every member ``audience`` selects: grouped kinds join the
        member's unread line about the topic, others get a line each. Members who
        blocked the event's actor are left out, whatever the kind."""
        now = self._clock()
        if event.actor_id is not None:
            audience = audience.where(~has_blocked(User.id, event.actor_id))
        recipients = audience.subquery()
        if event.kind in GROUPED and event.topic_id is not None:
            self._session.execute(
                update(Notification)
                .where(
                    Notification.topic_id == event.topic_id,
                    Notification.kind == event.kind,
                    Notification.read_at.is_(None),
                    Notification.user_id.in_(select(recipients.c.id)),
                )
                .values(
                    event_count=Notification.event_count + 1,
                    actor_id=event.actor_id,
                    actor_name=event.actor_name,
                    subject=event.subject,
                    updated_at=now,
                ),
                execution_options={"synchronize_session": False},
            )
            fresh = ~exists(
                select(Notification.id).where(
                    Notification.user_id == recipients.c.id,
                    Notification.topic_id == event.topic_id,
                    Notification.kind == event.kind,
                    Notification.read_at.is_(None),
                )
            )
        else:
            fresh = literal(True)
        mode = func.coalesce(EmailChoice.mode, DEFAULT_EMAIL[event.kind].value)
        rows = (
            select(
                recipients.c.id,
                literal(event.kind.value),
                literal(event.topic_id),
                literal(event.post_id),
                literal(event.conversation_id),
                literal(event.actor_id),
                literal(event.actor_name),
                literal(event.subject),
                literal(event.detail),
                literal(1),
                literal(now, Notification.created_at.type),
                literal(now, Notification.updated_at.type),
                mode,
            )
            .outerjoin(
                EmailChoice,
                and_(EmailChoice.user_id == recipients.c.id, EmailChoice.kind == event.kind),
            )
            .where(fresh)
        )
        columns = [
            "user_id",
            "kind",
            "topic_id",
            "post_id",
            "conversation_id",
            "actor_id",
            "actor_name",
            "subject",
            "detail",
            "event_count",
            "created_at",
            "updated_at",
            "mail_status",
        ]
        self._session.execute(insert(Notification).from_select(columns, rows))

    def _auto_watch(self, user_id: int, topic_id: int, first: bool) -> None:
        preference = self._session.get(WatchPreference, user_id)
        wanted = (
            (preference.watch_created if preference else True)
            if first
            else (preference.watch_replied if preference else False)
        )
        if wanted:
            insert_missing(
                self._session,
                TopicWatch,
                {"user_id": user_id, "topic_id": topic_id, "level": Level.WATCHING.value},
            )


def _with(event: Event, kind: Kind) -> Event:
    return Event(
        kind,
        event.topic_id,
        event.post_id,
        event.actor_id,
        event.actor_name,
        event.subject,
        event.detail,
        event.conversation_id,
    )


def insert_missing(session: DbSession, model: type[object], values: dict[str, object]) -> None:
    """Insert a row unless one with its primary key exists (a choice made earlier stays)."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(model).values(**values).on_conflict_do_nothing())

"""A member's notifications: the list, opening one, marking all read, the unread count,
and pruning old read ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import LazyString
from sqlalchemy import delete, func, select, update

from forumapp.forum.errors import NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.lazy_text import lazy_ngettext
from forumapp.management.reports.desk import Resolution
from forumapp.notifications.kinds import MODERATION_NOTICES, Kind, Level
from forumapp.notifications.models import ForumWatch, Notification, TopicWatch
from forumapp.persistence import DbSession, atomic

Clock = Callable[[], datetime]

#: The unread count stops at this many: the bell says "99+" and the count stays cheap.
UNREAD_COUNT_CAP = 100
#: Rows pruning deletes per statement, so that no transaction holds the lock for long.
PRUNE_CHUNK = 5_000


@dataclass(frozen=True)
class InboxPage:
    """One page of a member's notifications, newest first."""

    lines: list[Notification]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        """Whether there is a newer page."""
        return self.page > 1


@dataclass(frozen=True)
class Bell:
    """What the header and a topic or forum page show about notifications, read in one
    query: the unread count (capped) and the member's level for the page's topic and
    forum (``None`` where they chose none)."""

    unread: int
    topic_level: Level | None = None
    forum_level: Level | None = None

    @property
    def unread_label(self) -> str:
        """The count as the bell shows it."""
        return f"{UNREAD_COUNT_CAP - 1}+" if self.unread >= UNREAD_COUNT_CAP else str(self.unread)


class Inbox:
    """Reads and marks the notifications of a member, given by id."""

    def __init__(self, session: DbSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def page(self, user_id: int, page: int, per_page: int) -> InboxPage:
        """Page ``page`` (from 1) of the member's notifications, newest first (one query)."""
        rows = list(
            self._session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.updated_at.desc(), Notification.id.desc())
                .offset((page - 1) * per_page)
                .limit(per_page + 1)
            )
        )
        return InboxPage(rows[:per_page], page, len(rows) > per_page)

    def open(self, user_id: int, notification_id: int) -> Notification:
        """Mark one of the member's notifications read and return it; :class:`NotFound`
        when it is not theirs."""
        line = self._session.get(Notification, notification_id)
        if line is None or line.user_id != user_id:
            raise NotFound
        if line.read_at is None:
            with atomic(self._session):
                line.read_at = self._clock()
        return line

    def mark_all_read(self, user_id: int) -> int:
        """Mark every unread notification of the member read; returns how many."""
        with atomic(self._session):
            result = self._session.execute(
                update(Notification)
                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                .values(read_at=self._clock()),
                execution_options={"synchronize_session": False},
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def bell(self, user_id: int, topic_id: int | None, forum_id: int | None) -> Bell:
        """The member's unread count and levels for a page's topic and forum (one query)."""
        unread = (
            select(Notification.id)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .limit(UNREAD_COUNT_CAP)
            .subquery()
        )
        columns = [select(func.count()).select_from(unread).scalar_subquery()]
        topic_level = select(TopicWatch.level).where(
            TopicWatch.user_id == user_id, TopicWatch.topic_id == (topic_id or 0)
        )
        forum_level = select(ForumWatch.level).where(
            ForumWatch.user_id == user_id, ForumWatch.forum_id == (forum_id or 0)
        )
        columns += [topic_level.scalar_subquery(), forum_level.scalar_subquery()]
        count, topic, forum = self._session.execute(select(*columns)).one()
        return Bell(int(count), _level(topic), _level(forum))

    def prune(self, read_before: datetime) -> int:
        """Delete notifications read before ``read_before``, in chunks; returns how many."""
        removed = 0
        while True:
            chunk = (
                select(Notification.id)
                .where(Notification.read_at < read_before)
                .limit(PRUNE_CHUNK)
                .scalar_subquery()
            )
            with atomic(self._session):
                result = self._session.execute(
                    delete(Notification).where(Notification.id.in_(chunk)),
                    execution_options={"synchronize_session": False},
                )
            count = int(getattr(result, "rowcount", 0) or 0)
            removed += count
            if count < PRUNE_CHUNK:
                return removed


def _level(value: object) -> Level | None:
    return Level(value) if isinstance(value, str) and value in Level.__members__.values() else None


#: What a member whose report was handled is told, by the report's resolution. A
#: resolution without an entry (a note only) is told the bare "was handled".
REPORT_OUTCOMES: dict[str, LazyString] = {
    Resolution.DISMISSED: _l("Your report of a post in “%(subject)s” was handled: dismissed"),
    Resolution.POST_DELETED: _l("Your report of a post in “%(subject)s” was handled: post deleted"),
    Resolution.TOPIC_LOCKED: _l("Your report of a post in “%(subject)s” was handled: topic locked"),
    Resolution.AUTHOR_WARNED: _l(
        "Your report of a post in “%(subject)s” was handled: author warned"
    ),
    Resolution.AUTHOR_SUSPENDED: _l(
        "Your report of a post in “%(subject)s” was handled: author suspended"
    ),
}


def describe(line: Notification) -> str:
    """What a notification line says, as plain text (the templates mark it up), in the
    language of the page or email being made."""
    return str(_wording(line))


def _wording(line: Notification) -> str | LazyString:
    others = line.event_count - 1
    who = line.actor_name or _l("Someone")
    subject = line.subject
    match Kind(line.kind):
        case Kind.REPLY | Kind.TOPIC_REPLY if others > 0:
            return lazy_ngettext(
                "%(who)s and %(num)s other reply in “%(subject)s”",
                "%(who)s and %(num)s other replies in “%(subject)s”",
                others,
                who=who,
                subject=subject,
            )
        case Kind.REPLY:
            return _l("%(who)s replied in “%(subject)s”", who=who, subject=subject)
        case Kind.TOPIC_REPLY:
            return _l("%(who)s replied to your topic “%(subject)s”", who=who, subject=subject)
        case Kind.NEW_TOPIC:
            return _l("%(who)s started “%(subject)s”", who=who, subject=subject)
        case Kind.MENTION:
            return _l("%(who)s mentioned you in “%(subject)s”", who=who, subject=subject)
        case Kind.QUOTE:
            return _l("%(who)s quoted you in “%(subject)s”", who=who, subject=subject)
        case Kind.MODERATION if line.detail in MODERATION_NOTICES:
            return str(MODERATION_NOTICES[line.detail]) % {"subject": subject}
        case Kind.MODERATION:
            return _l("A moderator acted on your content: “%(subject)s”", subject=subject)
        case Kind.REPORT_RESOLVED if line.detail in REPORT_OUTCOMES:
            return str(REPORT_OUTCOMES[line.detail]) % {"subject": subject}
        case Kind.REPORT_RESOLVED:
            return _l("Your report of a post in “%(subject)s” was handled", subject=subject)
        case Kind.PRIVATE_MESSAGE:
            return _l("%(who)s sent you a private message: “%(subject)s”", who=who, subject=subject)


def prune_horizon(clock: Clock, retention_days: int) -> datetime:
    """The moment before which read notifications are pruned."""
    return clock() - timedelta(days=retention_days)

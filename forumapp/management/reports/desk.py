"""The reports queue: open reports with what was reported, and the actions that resolve
them in place — dismiss, delete the post, lock the topic, warn or suspend the author.

Each resolution is recorded on the report (who, when, how). The report's resolution is
staged first and the action's own unit of work commits both, or a failure rolls both
back: a report never says "post deleted" about a post that is still there.

Adding another kind of reported item (a private message, say) means: a query that
yields :class:`QueueEntry` rows of that kind in :meth:`ReportDesk.entries`, a template
``management/reports/item_<kind>.html`` showing it, and the actions that apply to it in
:meth:`ReportDesk.resolve`. Everything else (tabs, resolution record, warnings and
suspensions of the author) works on any kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import aliased

from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.models import Forum, MemberWarning, Post, Report, Topic
from forumapp.forum.moderation import ModerationService, PostAction, TopicAction
from forumapp.forum.permissions import Actor
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import Auditor
from forumapp.management.users.services import UserAdministration
from forumapp.persistence import DbSession, atomic
from forumapp.users.models import Group, User

Clock = Callable[[], datetime]
#: The longest suspension from the queue; longer or permanent bans are the Users area's.
MAX_SUSPENSION_DAYS = 365


class Resolution(StrEnum):
    """How a report was resolved."""

    DISMISSED = "dismissed"
    POST_DELETED = "post_deleted"
    TOPIC_LOCKED = "topic_locked"
    AUTHOR_WARNED = "author_warned"
    AUTHOR_SUSPENDED = "author_suspended"
    #: Closed with a note only (reports handled before resolutions were recorded).
    NOTED = ""


#: What the resolved tab says for each resolution.
RESOLUTION_LABELS: dict[str, str] = {
    Resolution.DISMISSED: _l("Dismissed"),
    Resolution.POST_DELETED: _l("Post deleted"),
    Resolution.TOPIC_LOCKED: _l("Topic locked"),
    Resolution.AUTHOR_WARNED: _l("Author warned"),
    Resolution.AUTHOR_SUSPENDED: _l("Author suspended"),
    Resolution.NOTED: _l("Handled"),
}


@dataclass(frozen=True)
class QueueEntry:
    """A report with what the queue shows about it and the reported item."""

    report: Report
    #: The kind of reported item; names the template that shows it.
    kind: str
    reporter_name: str
    resolver_name: str
    #: The reported content as stored: sanitized HTML, rendered when it was saved.
    content_html: str
    author_id: int | None
    author_name: str
    post: Post
    topic: Topic
    forum_title: str

    @property
    def resolution_label(self) -> str:
        """How the report was resolved, for people."""
        return RESOLUTION_LABELS.get(self.report.resolution, self.report.resolution)


@dataclass(frozen=True)
class Warning:
    """A warning about to be sent to a member."""

    email: str
    username: str
    reason: str
    moderator_name: str
    #: The member's language preference: the email is written in it.
    language: str = ""


class WarningMailer(Protocol):
    """Sends a member the warning a moderator gave them."""

    def send_warning(self, warning: Warning) -> None:
        """Deliver the warning (failures are the mailer's to record)."""


class ReportDesk:
    """Lists reports for the forums an actor moderates and resolves them."""

    def __init__(
        self,
        session: DbSession,
        moderation: ModerationService,
        users: UserAdministration,
        mailer: WarningMailer,
        clock: Clock,
    ) -> None:
        self._session = session
        self._moderation = moderation
        self._users = users
        self._mailer = mailer
        self._clock = clock

    def entries(
        self, actor: Actor, *, resolved: bool = False, limit: int = 100
    ) -> list[QueueEntry]:
        """Open reports oldest first, or resolved ones newest first, in the forums the
        actor moderates (one query)."""
        reporter, resolver, author = aliased(User), aliased(User), aliased(User)
        query = (
            select(Report, Post, Topic, Forum.title, reporter.username, resolver.username)
            .add_columns(author.username)
            .join(Post, Post.id == Report.post_id)
            .join(Topic, Topic.id == Post.topic_id)
            .join(Forum, Forum.id == Topic.forum_id)
            .outerjoin(reporter, reporter.id == Report.reporter_id)
            .outerjoin(resolver, resolver.id == Report.handled_by_id)
            .outerjoin(author, author.id == Post.user_id)
            .where(Report.handled_at.is_not(None) if resolved else Report.handled_at.is_(None))
            .order_by(Report.handled_at.desc() if resolved else Report.created_at, Report.id)
            .limit(limit)
        )
        if not actor.is_global_moderator:
            query = query.where(Topic.forum_id.in_(sorted(actor.moderated_forums)))
        return [
            QueueEntry(
                report,
                "post",
                reporter_name or _l("deleted user"),
                resolver_name or "",
                post.html,
                post.user_id if author_name is not None else None,
                author_name or post.author_name,
                post,
                topic,
                forum_title,
            )
            for report, post, topic, forum_title, reporter_name, resolver_name, author_name in (
                self._session.execute(query).all()
            )
        ]

    def dismiss(
        self, actor: Actor, report_id: int, note: str = "", *, client_address: str = ""
    ) -> Report:
        """Close the report without acting on the post."""
        report, _, _ = self._open(actor, report_id)
        with atomic(self._session):
            self._stage(report, actor, Resolution.DISMISSED, client_address, note)
        return report

    def delete_post(self, actor: Actor, report_id: int, *, client_address: str = "") -> Report:
        """Delete the reported post (its topic, for a first post) and close the report."""
        report, post, topic = self._open(actor, report_id)
        with atomic(self._session):
            self._stage(report, actor, Resolution.POST_DELETED, client_address)
            if post.number == 1:
                self._moderation.act_on_topics(
                    actor,
                    topic.forum_id,
                    [topic.id],
                    TopicAction.DELETE,
                    client_address=client_address,
                )
            else:
                self._moderation.act_on_post(
                    actor, post.id, PostAction.DELETE, client_address=client_address
                )
        return report

    def lock_topic(self, actor: Actor, report_id: int, *, client_address: str = "") -> Report:
        """Lock the reported post's topic and close the report."""
        report, _, topic = self._open(actor, report_id)
        with atomic(self._session):
            self._stage(report, actor, Resolution.TOPIC_LOCKED, client_address)
            self._moderation.act_on_topics(
                actor, topic.forum_id, [topic.id], TopicAction.LOCK, client_address=client_address
            )
        return report

    def warn_author(
        self, actor: Actor, report_id: int, reason: str, *, client_address: str = ""
    ) -> Report:
        """Record a warning to the post's author, email it to them, close the report."""
        report, post, _ = self._open(actor, report_id)
        if not reason:
            raise InvalidInput("reason", _l("Say what the warning is about."))
        member = self._author(post)
        with atomic(self._session):
            self._stage(report, actor, Resolution.AUTHOR_WARNED, client_address, reason)
            self._session.add(
                MemberWarning(
                    user_id=member.id,
                    moderator_id=actor.user_id,
                    moderator_name=actor.username,
                    reason=reason,
                    report_id=report.id,
                    created_at=self._clock(),
                )
            )
        # After the commit: the warning is on record even when the mail cannot go out
        # (the mail delivery records its failures for the dashboard).
        self._mailer.send_warning(
            Warning(member.email, member.username, reason, actor.username, member.language)
        )
        return report

    def suspend_author(
        self,
        actor: Actor,
        acting_group: Group,
        report_id: int,
        days: int,
        reason: str,
        *,
        client_address: str = "",
    ) -> Report:
        """Ban the post's author for ``days`` days (the Users area's temporary ban, which
        ends by itself) and close the report. Needs the group's ``mod_banuser`` flag."""
        report, post, _ = self._open(actor, report_id)
        if not (acting_group.admin or acting_group.mod_banuser):
            raise Forbidden(_l("Your group may not suspend members."))
        if not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise InvalidInput(
                "days", _l("Suspend for 1 to %(max)d days.", max=MAX_SUSPENSION_DAYS)
            )
        member = self._author(post)
        until = self._clock() + timedelta(days=days)
        auditor = Auditor(actor.user_id, actor.username, client_address)
        with atomic(self._session):
            note = f"{days} {'day' if days == 1 else 'days'}: {reason}".rstrip(": ")
            self._stage(report, actor, Resolution.AUTHOR_SUSPENDED, client_address, note)
            self._users.ban(auditor, acting_group, member.id, reason, until)
        return report

    def _open(self, actor: Actor, report_id: int) -> tuple[Report, Post, Topic]:
        row = self._session.execute(
            select(Report, Post, Topic)
            .join(Post, Post.id == Report.post_id)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Report.id == report_id, Report.handled_at.is_(None))
        ).first()
        if row is None or not actor.moderates(row[2].forum_id):
            raise NotFound  # unknown, already resolved, or not this moderator's forum
        return row[0], row[1], row[2]

    def _author(self, post: Post) -> User:
        member = self._session.get(User, post.user_id) if post.user_id is not None else None
        if member is None:
            raise InvalidInput("action", _l("The author's account no longer exists."))
        return member

    def _stage(
        self,
        report: Report,
        actor: Actor,
        resolution: Resolution,
        client_address: str,
        note: str = "",
    ) -> None:
        """Mark the report resolved and record it, in the caller's unit of work: an action
        that follows commits it (its own unit of work ends the same transaction), and a
        refusal rolls it back with everything else."""
        report.handled_at = self._clock()
        report.handled_by_id = actor.user_id
        report.resolution = resolution.value
        report.note = note
        self._moderation.record_report(actor, report, resolution.value, client_address)

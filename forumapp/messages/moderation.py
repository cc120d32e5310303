"""Reported private messages, as the moderators see them: the reported message and
nothing else of its conversation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from forumapp.forum.errors import NotFound
from forumapp.forum.permissions import Actor
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.messages.models import Conversation, Message, MessageReport
from forumapp.persistence import DbSession, atomic


@dataclass(frozen=True)
class ReportedMessage:
    """A report with the one message it is about, and the subject of its conversation."""

    report: MessageReport
    message: Message
    subject: str


class MessageReports:
    """The queue of reported messages, for global moderators and administrators: a
    private conversation belongs to no forum, so a forum's moderators do not see it."""

    def __init__(self, session: DbSession, audit: AuditLog, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._audit = audit
        self._clock = clock

    def reports(
        self, actor: Actor, *, handled: bool = False, limit: int = 100
    ) -> list[ReportedMessage]:
        """Open reports oldest first, or handled ones newest first (one query)."""
        if not actor.is_global_moderator:
            return []
        query = (
            select(MessageReport, Message, Conversation.subject)
            .join(Message, Message.id == MessageReport.message_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                MessageReport.handled_at.is_not(None)
                if handled
                else MessageReport.handled_at.is_(None)
            )
            .order_by(MessageReport.handled_at.desc() if handled else MessageReport.created_at)
            .limit(limit)
        )
        return [ReportedMessage(*row) for row in self._session.execute(query).all()]

    def handle(self, actor: Actor, report_id: int, note: str, *, client_address: str = "") -> None:
        """Mark an open report handled with the moderator's note, in the audit log."""
        report = self._session.get(MessageReport, report_id)
        if report is None or report.handled_at is not None or not actor.is_global_moderator:
            raise NotFound
        with atomic(self._session):
            report.handled_at = self._clock()
            report.handled_by_id = actor.user_id
            report.note = note
            self._audit.record(
                Auditor(actor.user_id, actor.username, client_address),
                "message_report.handle",
                "message_report",
                report.id,
                f"message #{report.message_id}",
                note,
            )

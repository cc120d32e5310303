"""Writing and reading the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from forumapp.forum.reading import Pagination, page_count
from forumapp.management.audit.models import AuditEntry
from forumapp.persistence import DbSession


@dataclass(frozen=True)
class Auditor:
    """Who acts, as the audit log records them."""

    user_id: int | None
    username: str
    ip_address: str


@dataclass(frozen=True)
class AuditPage:
    """A filtered page of the audit log, newest first."""

    entries: list[AuditEntry]
    pagination: Pagination
    actions: list[str]


class AuditLog:
    """Adds entries inside the caller's transaction, so an action and its record commit
    together or not at all; reads them back with filters."""

    def __init__(self, session: DbSession, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def record(
        self,
        auditor: Auditor,
        action: str,
        target_type: str,
        target_id: int | None,
        target_label: str = "",
        details: str = "",
    ) -> None:
        """Add an entry (the caller commits)."""
        self._session.add(
            AuditEntry(
                created_at=self._clock(),
                actor_id=auditor.user_id,
                actor_name=auditor.username,
                action=action,
                target_type=target_type,
                target_id=target_id,
                target_label=target_label[:200],
                details=details,
                ip_address=auditor.ip_address[:45],
            )
        )

    def page(
        self, page: int, per_page: int, action: str | None = None, actor: str | None = None
    ) -> AuditPage:
        """Entries newest first, optionally only one action or one actor's."""
        conditions = []
        if action:
            conditions.append(AuditEntry.action == action)
        if actor:
            conditions.append(func.lower(AuditEntry.actor_name) == actor.casefold())
        total = (
            self._session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
            or 0
        )
        page = min(max(page, 1), page_count(total, per_page))
        entries = self._session.scalars(
            select(AuditEntry)
            .where(*conditions)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        actions = self._session.scalars(
            select(AuditEntry.action).distinct().order_by(AuditEntry.action)
        ).all()
        return AuditPage(list(entries), Pagination(page, per_page, total), list(actions))

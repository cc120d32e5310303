"""The header's links for staff: "Admin" for administrators, "Moderation" with the number
of open reports for whoever handles reports."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from sqlalchemy import func, select

from forumapp.forum.models import Report
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.access import AREA_LINKS, Area, may_enter
from forumapp.persistence import DbSession
from forumapp.users.models import Group


@dataclass(frozen=True)
class StaffLink:
    """One link of the header: where it goes, what it says, and a count to show beside
    it (``None``: no count)."""

    endpoint: str
    label: str | LazyString
    count: int | None = None


class StaffLinks:
    """Which staff links a member's group gets; the report count costs one query, and
    only for those who see it."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def for_group(self, group: Group | None) -> list[StaffLink]:
        """The links for a member of ``group`` (none for guests and ordinary members)."""
        if group is None or group.banned:
            return []
        links = []
        if group.admin:
            links.append(StaffLink(AREA_LINKS[Area.DASHBOARD][0], _l("Admin")))
        if may_enter(group, Area.REPORTS):
            links.append(
                StaffLink(AREA_LINKS[Area.REPORTS][0], _l("Moderation"), self.open_reports())
            )
        return links

    def open_reports(self) -> int:
        """Reports nobody has handled yet (read through the ``ix_reports_open`` index)."""
        total = self._session.scalar(
            select(func.count()).select_from(Report).where(Report.handled_at.is_(None))
        )
        return int(total or 0)

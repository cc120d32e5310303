"""The figures of the management dashboard."""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import metadata
from typing import Any

import sqlalchemy
from sqlalchemy import Date, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from forumapp.forum.models import Post, Report, Topic
from forumapp.jobs.models import FAILED, Job
from forumapp.jobs.store import lapsed
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.mail import MailFailure
from forumapp.persistence import DbSession
from forumapp.users.models import User

CHART_DAYS = 30


@dataclass(frozen=True)
class DailySeries:
    """A count per day over the chart's days, oldest first."""

    label: str
    values: list[int]

    @property
    def peak(self) -> int:
        return max(self.values, default=0)


@dataclass(frozen=True)
class MailFailures:
    """Emails that could not be sent over the chart's days, and the latest one."""

    count: int
    last: MailFailure | None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows."""

    users: int
    topics: int
    posts: int
    new_users_this_week: int
    open_reports: int
    days: list[date]
    series: list[DailySeries]
    recent_posts: list[tuple[Post, Topic]]
    versions: dict[str, str]
    mail_failures: MailFailures
    #: Background jobs whose every attempt failed (``forumapp jobs`` lists them).
    failed_jobs: int
    #: Background jobs still ``running`` past their lease: their worker stopped, and the
    #: periodic relay has not taken them back yet.
    overdue_jobs: int
    #: Background jobs taken back from a stopped worker and run again, in the chart's days.
    rerun_jobs: int


class DashboardStats:
    """Reads the dashboard in a fixed handful of aggregate queries."""

    def __init__(
        self,
        session: DbSession,
        clock: Callable[[], datetime],
        job_lease: timedelta,
    ) -> None:
        self._session = session
        self._clock = clock
        self._job_lease = job_lease

    def dashboard(self) -> Dashboard:
        """Counts, 30 days of activity, the latest posts and software versions."""
        now = self._clock()
        session = self._session
        count = self._count
        first_day = (now - timedelta(days=CHART_DAYS - 1)).date()
        days = [first_day + timedelta(days=n) for n in range(CHART_DAYS)]
        recent = session.execute(
            select(Post, Topic)
            .join(Topic, Topic.id == Post.topic_id)
            .order_by(Post.created_at.desc())
            .limit(10)
        ).all()
        return Dashboard(
            users=count(User),
            topics=count(Topic, Topic.deleted.is_(False)),
            posts=count(Post, Post.deleted.is_(False)),
            new_users_this_week=count(User, User.date_joined >= now - timedelta(days=7)),
            open_reports=count(Report, Report.handled_at.is_(None)),
            days=days,
            series=[
                DailySeries(_l("Posts"), self._per_day(Post.created_at, days)),
                DailySeries(_l("Registrations"), self._per_day(User.date_joined, days)),
            ],
            recent_posts=[(post, topic) for post, topic in recent],
            versions={
                "Python": platform.python_version(),
                "Flask": metadata.version("flask"),
                "SQLAlchemy": sqlalchemy.__version__,
                _l("Database"): self._database_version(),
            },
            mail_failures=self._mail_failures(now - timedelta(days=CHART_DAYS)),
            failed_jobs=count(Job, Job.state == FAILED),
            overdue_jobs=count(Job, lapsed(now, self._job_lease)),
            rerun_jobs=count(Job, Job.lease_lost_at >= now - timedelta(days=CHART_DAYS)),
        )

    def _mail_failures(self, since: datetime) -> MailFailures:
        count = self._count(MailFailure, MailFailure.failed_at >= since)
        last = None
        if count:
            last = self._session.scalar(
                select(MailFailure).order_by(MailFailure.failed_at.desc()).limit(1)
            )
        return MailFailures(count, last)

    def _count(self, model: type[Any], *where: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(model).where(*where)
        return self._session.scalar(query) or 0

    def _per_day(self, column: Any, days: list[date]) -> list[int]:
        day = self._day_of(column)
        start = datetime.combine(days[0], datetime.min.time(), tzinfo=self._clock().tzinfo)
        rows = self._session.execute(
            select(day, func.count()).where(column >= start).group_by(day)
        ).all()
        by_day = {str(value)[:10]: number for value, number in rows}
        return [by_day.get(d.isoformat(), 0) for d in days]

    def _day_of(self, column: Any) -> ColumnElement[Any]:
        # SQLite keeps timestamps as text and has date(); PostgreSQL casts.
        if self._session.get_bind().dialect.name == "sqlite":
            return func.date(column)
        return cast(column, Date)

    def _database_version(self) -> str:
        bind = self._session.get_bind()
        version = bind.dialect.server_version_info or ()
        return f"{bind.dialect.name} {'.'.join(str(part) for part in version)}".strip()

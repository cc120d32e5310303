"""The one place that wires the panel's services to the app's database.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for
:func:`forumapp.management.create_management_blueprint`, the way
:mod:`forumapp.auth.factories` does for the auth blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.events import app_events
from forumapp.extensions import db
from forumapp.forum import moderation_service_factory
from forumapp.forum.moderation import ModerationService
from forumapp.http import external_url
from forumapp.jobs.factories import lease_terms, mail_delivery
from forumapp.management.audit.log import AuditLog
from forumapp.management.dashboard.stats import DashboardStats
from forumapp.management.forums.services import ForumAdministration
from forumapp.management.groups.services import GroupAdministration
from forumapp.management.reports.desk import ReportDesk
from forumapp.management.reports.mailer import TemplateWarningMailer
from forumapp.management.settings.store import SettingsStore
from forumapp.management.users.services import UserAdministration
from forumapp.messages.moderation import MessageReports
from forumapp.sqltypes import utcnow


def message_reports_factory() -> MessageReports:
    """The reported private messages, recording into the audit log."""
    return MessageReports(db.session, AuditLog(db.session, utcnow), utcnow)


@dataclass(frozen=True)
class ManagementFactories:
    """Service factories for the panel's views, one per service."""

    audit_log: Callable[[], AuditLog]
    dashboard_stats: Callable[[], DashboardStats]
    user_administration: Callable[[], UserAdministration]
    group_administration: Callable[[], GroupAdministration]
    forum_administration: Callable[[], ForumAdministration]
    settings_store: Callable[[], SettingsStore]
    moderation_service: Callable[[], ModerationService]
    report_desk: Callable[[], ReportDesk]
    #: Reported private messages (``/admin/reports/messages``).
    message_reports: Callable[[], MessageReports] = message_reports_factory


def audit_log_factory() -> AuditLog:
    """The audit log over the app's database."""
    return AuditLog(db.session, utcnow)


def dashboard_stats_factory() -> DashboardStats:
    """The dashboard figures over the app's database."""
    return DashboardStats(db.session, utcnow, lease_terms(current_app).lease)


def user_administration_factory() -> UserAdministration:
    """Member administration, recording into the audit log."""
    return UserAdministration(db.session, audit_log_factory(), utcnow, app_events())


def group_administration_factory() -> GroupAdministration:
    """Group administration over the app's database, recording into the audit log."""
    return GroupAdministration(db.session, audit_log_factory())


def forum_administration_factory() -> ForumAdministration:
    """The structure service over the app's database, recording into the audit log."""
    return ForumAdministration(db.session, audit_log_factory())


def settings_store_factory() -> SettingsStore:
    """The stored site settings, recording saves into the audit log."""
    return SettingsStore(db.session, audit_log_factory(), utcnow)


def warning_mailer_factory() -> TemplateWarningMailer:
    """Warning emails through the job queue, linking to the forum index."""
    return TemplateWarningMailer(
        deliver=mail_delivery(),
        site_name=current_app.config["SITE_NAME"],
        guidelines_url=external_url("forum.index"),
    )


def report_desk_factory() -> ReportDesk:
    """The reports queue over the app's database, acting through the moderation service
    (recorded in the audit log) and the member bans of the Users area."""
    return ReportDesk(
        db.session,
        moderation_service_factory(),
        user_administration_factory(),
        warning_mailer_factory(),
        utcnow,
    )


def default_factories() -> ManagementFactories:
    """forumapp's own panel services over its SQLAlchemy tables."""
    return ManagementFactories(
        audit_log=audit_log_factory,
        dashboard_stats=dashboard_stats_factory,
        user_administration=user_administration_factory,
        group_administration=group_administration_factory,
        forum_administration=forum_administration_factory,
        settings_store=settings_store_factory,
        moderation_service=moderation_service_factory,
        report_desk=report_desk_factory,
    )

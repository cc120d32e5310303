"""The factories that wire the panel's services to the app's database."""

from __future__ import annotations

from forumapp.extensions import db
from forumapp.management.audit import AuditLog
from forumapp.management.settings_store import SettingsStore
from forumapp.management.stats import DashboardStats
from forumapp.management.users import UserAdministration
from forumapp.sqltypes import utcnow


def audit_log_factory() -> AuditLog:
    """The audit log over the app's database."""
    return AuditLog(db.session, utcnow)


def dashboard_stats_factory() -> DashboardStats:
    """The dashboard figures over the app's database."""
    return DashboardStats(db.session, utcnow)


def user_administration_factory() -> UserAdministration:
    """Member administration, recording into the audit log."""
    return UserAdministration(db.session, audit_log_factory(), utcnow)


def settings_store_factory() -> SettingsStore:
    """The stored site settings, recording saves into the audit log."""
    return SettingsStore(db.session, audit_log_factory(), utcnow)

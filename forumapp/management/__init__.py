"""The management panel at ``/admin``: dashboard, members, audit log."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forumapp.extensions import db
from forumapp.forum import MODERATION_OBSERVER
from forumapp.forum.ids import install_id_converter
from forumapp.forum.moderation import ModerationEvent
from forumapp.management import report_views, views
from forumapp.management.audit import AuditLog
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


#: Functions that add one area's URL rules; each area lives in its own modules.
AREA_REGISTRARS: list[Callable[[Blueprint], None]] = [report_views.register]


def record_moderation(event: ModerationEvent) -> None:
    """Write a moderation action into the audit log (inside the action's transaction)."""
    audit_log_factory().record(
        views.current_auditor(),
        event.action,
        event.target_type,
        event.target_id,
        event.target_label,
        event.details,
    )


def _observe_moderation(state: BlueprintSetupState) -> None:
    state.app.extensions[MODERATION_OBSERVER] = record_moderation


def create_management_blueprint() -> Blueprint:
    """Build the ``/admin`` blueprint."""
    bp = Blueprint("management", __name__, url_prefix="/admin")
    bp.record_once(install_id_converter)
    bp.record_once(_observe_moderation)
    users = {"users_factory": user_administration_factory}
    bp.add_url_rule(
        "/", view_func=views.Dashboard.as_view("dashboard", stats_factory=dashboard_stats_factory)
    )
    bp.add_url_rule("/users", view_func=views.UserList.as_view("users", **users))
    bp.add_url_rule(
        "/users/<id:user_id>/ban", view_func=views.BanUser.as_view("ban_user", ban=True, **users)
    )
    bp.add_url_rule(
        "/users/<id:user_id>/unban",
        view_func=views.BanUser.as_view("unban_user", ban=False, **users),
    )
    bp.add_url_rule(
        "/audit", view_func=views.AuditLogView.as_view("audit", audit_factory=audit_log_factory)
    )
    for register in AREA_REGISTRARS:
        register(bp)
    return bp

"""The management panel at ``/admin``: dashboard, members, audit log."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forumapp.auth.factories import AuthFactories, default_factories
from forumapp.forum import MODERATION_OBSERVER
from forumapp.forum.ids import install_id_converter
from forumapp.forum.moderation import ModerationEvent
from forumapp.management import (
    forum_views,
    group_views,
    report_views,
    settings_views,
    user_views,
    views,
)
from forumapp.management.factories import (
    audit_log_factory,
    dashboard_stats_factory,
    settings_store_factory,
    user_administration_factory,
)
from forumapp.management.settings_store import LiveSettings

#: Functions that add one area's URL rules; each area lives in its own modules.
AREA_REGISTRARS: list[Callable[[Blueprint], None]] = [
    report_views.register,
    settings_views.register,
    group_views.register,
    forum_views.register,
]


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


def _follow_settings(state: BlueprintSetupState) -> None:
    # Settings saved in the panel reach every worker within SETTINGS_CHECK_SECONDS, and
    # temporary bans are lifted on the same cadence.
    state.app.before_request(
        LiveSettings(settings_store_factory, user_administration_factory).refresh
    )


def create_management_blueprint(auth_factories: AuthFactories | None = None) -> Blueprint:
    """Build the ``/admin`` blueprint; the emails it sends members (activation, reset)
    go through ``auth_factories``, the ones given to the auth blueprint (forumapp's own
    when omitted)."""
    bp = Blueprint("management", __name__, url_prefix="/admin")
    bp.record_once(install_id_converter)
    bp.record_once(_observe_moderation)
    bp.record_once(_follow_settings)
    users = {"users_factory": user_administration_factory}
    bp.add_url_rule(
        "/", view_func=views.Dashboard.as_view("dashboard", stats_factory=dashboard_stats_factory)
    )
    bp.add_url_rule("/users", view_func=views.UserList.as_view("users", **users))
    bp.add_url_rule("/users/<id:user_id>/ban", view_func=views.BanUser.as_view("ban_user", **users))
    bp.add_url_rule(
        "/users/<id:user_id>/unban", view_func=views.UnbanUser.as_view("unban_user", **users)
    )
    bp.add_url_rule(
        "/audit", view_func=views.AuditLogView.as_view("audit", audit_factory=audit_log_factory)
    )
    user_views.register(bp, auth_factories or default_factories())
    for register in AREA_REGISTRARS:
        register(bp)
    return bp

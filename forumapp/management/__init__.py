"""The management panel at ``/admin``: one sub-package per thing it manages
(``dashboard``, ``users``, ``groups``, ``forums``, ``settings``, ``reports``, ``audit``),
each with its services, forms and views; ``factories`` wires the services and
``panel`` holds what the pages share.

Mount it in any Flask app that also mounts the auth blueprint::

    from forumapp.management import create_management_blueprint

    app.register_blueprint(create_management_blueprint())  # forumapp's own services
    app.register_blueprint(create_management_blueprint(my_factories, auth_factories=mine))
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forumapp.auth.factories import AuthFactories
from forumapp.auth.factories import default_factories as default_auth_factories
from forumapp.auth.passkeys.factories import any_second_factor
from forumapp.domain_errors import answer_domain_errors
from forumapp.forum import MODERATION_OBSERVER
from forumapp.forum.ids import install_id_converter
from forumapp.forum.moderation import ModerationEvent
from forumapp.management.audit import views as audit_views
from forumapp.management.audit.log import Auditor
from forumapp.management.dashboard import views as dashboard_views
from forumapp.management.factories import ManagementFactories, default_factories
from forumapp.management.forums import views as forum_views
from forumapp.management.groups import views as group_views
from forumapp.management.reports import views as report_views
from forumapp.management.second_factor import SecondFactorCheck, StaffSecondFactor
from forumapp.management.settings import views as settings_views
from forumapp.management.settings.store import LiveSettings
from forumapp.management.users import views as user_views

__all__ = ["ManagementFactories", "create_management_blueprint", "default_factories"]

#: Functions that add one area's URL rules; each area is a sub-package with its
#: services, forms and views (the Users area's also needs the auth factories).
AREA_REGISTRARS: list[Callable[[Blueprint, ManagementFactories], None]] = [
    dashboard_views.register,
    audit_views.register,
    report_views.register,
    settings_views.register,
    group_views.register,
    forum_views.register,
]


def create_management_blueprint(
    factories: ManagementFactories | None = None,
    *,
    auth_factories: AuthFactories | None = None,
    second_factor: Callable[[], SecondFactorCheck] | None = None,
) -> Blueprint:
    """Build the ``/admin`` blueprint with ``factories`` (forumapp's own when omitted).

    The emails it sends members (activation, password reset) go through
    ``auth_factories``, the ones given to the auth blueprint (forumapp's own when omitted).
    ``second_factor`` tells whether a staff member has one, for
    ``TWO_FACTOR_REQUIRED_FOR_STAFF`` (forumapp's two-factor service when omitted).
    """
    f = factories or default_factories()
    bp = Blueprint("management", __name__, url_prefix="/admin")
    bp.record_once(install_id_converter)
    answer_domain_errors(bp)
    bp.record_once(_moderation_recorder(f))
    bp.record_once(_settings_follower(f))
    bp.before_request(StaffSecondFactor(second_factor or any_second_factor))
    user_views.register(bp, f, auth_factories or default_auth_factories())
    for register in AREA_REGISTRARS:
        register(bp, f)
    return bp


def _moderation_recorder(factories: ManagementFactories) -> Callable[[BlueprintSetupState], None]:
    def record_moderation(event: ModerationEvent) -> None:
        # Inside the moderation action's transaction, so both are kept or neither.
        factories.audit_log().record(
            Auditor(event.actor_id, event.actor_name, event.client_address),
            event.action,
            event.target_type,
            event.target_id,
            event.target_label,
            event.details,
        )

    def observe(state: BlueprintSetupState) -> None:
        state.app.extensions[MODERATION_OBSERVER] = record_moderation

    return observe


def _settings_follower(factories: ManagementFactories) -> Callable[[BlueprintSetupState], None]:
    def follow(state: BlueprintSetupState) -> None:
        # Settings saved in the panel reach every worker within SETTINGS_CHECK_SECONDS,
        # and temporary bans are lifted on the same cadence.
        state.app.before_request(
            LiveSettings(factories.settings_store, factories.user_administration).refresh
        )

    return follow

"""The account blueprint: a member's own settings at ``/settings/...``.

Each page is a ``MethodView`` whose services come from :class:`AccountFactories` through
``as_view``, with ``login_required`` (and a fresh reauth where credentials change) as
class-level decorators, exactly as in the auth blueprint. Mount it in any Flask app that
mounts the auth blueprint::

    from forumapp.account import create_account_blueprint

    app.register_blueprint(create_account_blueprint())              # forumapp's services
    app.register_blueprint(create_account_blueprint(my_factories))  # your own
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from flask.typing import RouteCallable

from forumapp import settings
from forumapp.account import menu
from forumapp.account.avatar.views import AvatarPage, RemoveAvatar
from forumapp.account.credentials.urls import credential_rules
from forumapp.account.factories import AccountFactories, default_factories
from forumapp.account.leaving import views as leaving_views
from forumapp.account.preferences.views import PreferencesSettings
from forumapp.account.profile.views import ProfileSettings
from forumapp.account.security import urls as security
from forumapp.domain_errors import answer_domain_errors
from forumapp.forum.ids import install_id_converter
from forumapp.http import no_store
from forumapp.localtime import local_time

__all__ = ["AccountFactories", "create_account_blueprint", "default_factories"]

#: Settings the account pages read: a host app that sets none of them gets forumapp's.
CONFIG_KEYS = (
    "ACCOUNT_SETTINGS_LIMIT",
    "ACCOUNT_EXPORT_LIMIT",
    "ACCOUNT_DELETE_POSTS_ALLOWED",
    "ACCOUNT_EMAIL_CHANGE_LIMIT",
    "EMAIL_CHANGE_TOKEN_MAX_AGE",
    "DEFAULT_TIMEZONE",
    "LANGUAGES",
    "POSTS_PER_PAGE",
)


def create_account_blueprint(
    factories: AccountFactories | None = None,
    *,
    name: str = "account",
    url_prefix: str = "/settings",
) -> Blueprint:
    """Build the account blueprint with ``factories`` (forumapp's own when omitted)."""
    f = factories or default_factories()
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix)
    blueprint.record_once(install_id_converter)
    blueprint.record_once(_default_settings)
    blueprint.after_request(no_store)
    blueprint.add_app_template_global(menu.settings_menu)
    blueprint.add_app_template_global(menu.first_settings_url)
    # Times on the settings pages follow the member's time zone, as on the forum's pages.
    blueprint.add_app_template_global(local_time)
    answer_domain_errors(blueprint)
    for rule, view_func in _rules(f):
        blueprint.add_url_rule(rule, view_func=view_func)
    return blueprint


def _rules(f: AccountFactories) -> list[tuple[str, RouteCallable]]:
    # One entry per page, in the order of the settings menu.
    return [
        ("/profile", ProfileSettings.as_view("profile", profile_service_factory=f.profile_service)),
        (
            "/preferences",
            PreferencesSettings.as_view(
                "preferences", preferences_service_factory=f.preferences_service
            ),
        ),
        (
            "/export",
            leaving_views.ExportData.as_view("export", data_exporter_factory=f.data_exporter),
        ),
        (
            "/delete",
            leaving_views.DeleteAccount.as_view(
                "delete", account_deleter_factory=f.account_deleter
            ),
        ),
        *credential_rules(f),
        *security.rules(f.security_report, f.two_factor, f.passkeys),
        ("/avatar", AvatarPage.as_view("avatar", avatar_service=f.avatar_service)),
        ("/avatar/remove", RemoveAvatar.as_view("remove_avatar", avatar_service=f.avatar_service)),
    ]


def _default_settings(state: BlueprintSetupState) -> None:
    for key in CONFIG_KEYS:
        state.app.config.setdefault(key, getattr(settings, key))

"""The auth blueprint: login, logout, registration, reauthentication, password reset
and account activation, as ``MethodView`` classes with injected service factories.

Mount it in any Flask app::

    from forumapp.auth import AuthFactories, create_auth_blueprint

    app.register_blueprint(create_auth_blueprint())            # forumapp's own services
    app.register_blueprint(create_auth_blueprint(my_factories))  # your own user store

The app must provide a Flask-Login ``LoginManager`` whose user loader accepts the session
token the services issue, and name its landing page in ``HOME_ENDPOINT`` (default
``forum.index``). The blueprint binds forumapp's CSRF protection and rate limiter to the
app when they are not bound yet.
"""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Flask, current_app
from flask.blueprints import BlueprintSetupState

from forumapp import settings
from forumapp.auth import limits, views
from forumapp.auth.factories import AuthFactories, default_factories
from forumapp.auth.urls import BLUEPRINT_NAME_KEY, auth_url
from forumapp.extensions import csrf, limiter
from forumapp.http import home_url
from forumapp.ratelimit import bind_limiter
from forumapp.resources import template_folder

__all__ = ["AuthFactories", "create_auth_blueprint", "default_factories"]


def create_auth_blueprint(
    factories: AuthFactories | None = None,
    *,
    name: str = "auth",
    url_prefix: str = "/auth",
) -> Blueprint:
    """Build the auth blueprint with ``factories`` (forumapp's own when omitted)."""
    f = factories or default_factories()
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix, template_folder=template_folder())
    rules = [
        (
            "/login",
            views.Login.as_view("login", authentication_manager_factory=f.authentication_manager),
        ),
        (
            "/logout",
            views.Logout.as_view("logout", authentication_manager_factory=f.authentication_manager),
        ),
        (
            "/reauth",
            views.Reauth.as_view(
                "reauth", reauthentication_manager_factory=f.reauthentication_manager
            ),
        ),
        (
            "/register",
            views.Register.as_view("register", registration_service_factory=f.registration_service),
        ),
        (
            "/reset-password",
            views.ForgotPassword.as_view(
                "forgot_password", password_reset_service_factory=f.password_reset_service
            ),
        ),
        (
            "/reset-password/<token>",
            views.ResetPassword.as_view(
                "reset_password", password_reset_service_factory=f.password_reset_service
            ),
        ),
        (
            "/activate",
            views.RequestActivationToken.as_view(
                "request_activation_token", account_activator_factory=f.account_activator
            ),
        ),
        (
            "/activate/confirm",
            views.ActivateAccount.as_view(
                "activate_account", account_activator_factory=f.account_activator
            ),
        ),
        (
            "/activate/confirm/<token>",
            views.AutoActivateAccount.as_view(
                "autoactivate_account", account_activator_factory=f.account_activator
            ),
        ),
    ]
    for rule, view_func in rules:
        blueprint.add_url_rule(rule, view_func=view_func)
    blueprint.register_error_handler(limits.LoginRefused, views.login_refused)
    blueprint.record_once(_bind_extensions)
    blueprint.add_app_template_global(home_url)
    blueprint.add_app_template_global(endpoint_exists)
    blueprint.add_app_template_global(auth_url)
    return blueprint


def endpoint_exists(endpoint: str) -> bool:
    """Whether the app serves ``endpoint`` (templates link to optional pages with it)."""
    return endpoint in current_app.view_functions


#: Settings the auth views read, given forumapp's defaults in apps that lack them.
CONFIG_KEYS = (
    "HOME_ENDPOINT",
    "REGISTRATION_ENABLED",
    "ACCOUNT_ACTIVATION_REQUIRED",
    "REAUTH_WINDOW_SECONDS",
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "PASSWORD_MIN_LENGTH",
    "PASSWORD_RESET_TOKEN_MAX_AGE",
    "AUTH_LOGIN_LIMIT",
    "AUTH_LOGIN_ACCOUNT_LIMIT",
    "AUTH_TRUSTED_DEVICE_DAYS",
    "AUTH_REGISTER_LIMIT",
    "AUTH_FORGOT_PASSWORD_LIMIT",
    "AUTH_ACTIVATION_LIMIT",
    "RATELIMIT_ENABLED",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_HEADERS_ENABLED",
)


def _bind_extensions(state: BlueprintSetupState) -> None:
    # An app that mounts only this blueprint still gets settings, CSRF protection and limits.
    app = cast(Flask, state.app)
    for key in CONFIG_KEYS:
        app.config.setdefault(key, getattr(settings, key))
    app.config.setdefault(BLUEPRINT_NAME_KEY, state.name)
    if "csrf" not in app.extensions:
        csrf.init_app(app)
    if limiter not in app.extensions.get("limiter", ()):
        bind_limiter(app)

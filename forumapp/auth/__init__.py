"""The auth blueprint: login, logout, registration, reauthentication, password reset
and account activation, as ``MethodView`` classes with injected service factories.

Mount it in any Flask app::

    from forumapp.auth import AuthFactories, create_auth_blueprint

    app.register_blueprint(create_auth_blueprint())            # forumapp's own services
    app.register_blueprint(create_auth_blueprint(my_factories))  # your own user store

The app must provide a Flask-Login ``LoginManager`` whose user loader accepts the session
token the services issue, and name its landing page in ``HOME_ENDPOINT`` (default
``forum.index``). ``examples/embed_auth/`` is a complete host app.

In a host app the blueprint keeps to itself: its pages extend ``forumapp/base.html``
(never the host's ``base.html``), its stylesheet is served under its own URL prefix,
its CSRF check covers its own views only (unless the app protects every view itself),
and the rate limiter it binds keeps its state in this app
(:class:`forumapp.extensions.PerAppLimiter`) next to whatever limiter the host has.
"""

from __future__ import annotations

from functools import cached_property
from typing import cast

from flask import Blueprint, Flask, current_app
from flask.blueprints import BlueprintSetupState
from flask_wtf.csrf import generate_csrf
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader

from forumapp import settings
from forumapp.auth import limits, views
from forumapp.auth.agents import time_in_zone
from forumapp.auth.factories import AuthFactories, default_factories
from forumapp.auth.passkeys import views as passkey_views
from forumapp.auth.urls import BLUEPRINT_NAME_KEY, auth_url, static_url
from forumapp.extensions import csrf, limiter
from forumapp.http import home_url
from forumapp.i18n import configure_i18n
from forumapp.ratelimit import bind_limiter
from forumapp.resources import static_folder, template_folder

__all__ = ["AuthFactories", "create_auth_blueprint", "default_factories"]

#: The prefix under which the blueprint's pages find forumapp's layout and macros
#: (``forumapp/base.html``), so that a host's templates of the same name do not replace them.
TEMPLATE_PREFIX = "forumapp"


class AuthBlueprint(Blueprint):
    """A blueprint whose templates are also found under :data:`TEMPLATE_PREFIX`."""

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """forumapp's templates, by their own names and under ``forumapp/``."""
        folder = FileSystemLoader(template_folder())
        return ChoiceLoader([folder, PrefixLoader({TEMPLATE_PREFIX: folder})])


def create_auth_blueprint(
    factories: AuthFactories | None = None,
    *,
    name: str = "auth",
    url_prefix: str = "/auth",
) -> Blueprint:
    """Build the auth blueprint with ``factories`` (forumapp's own when omitted)."""
    f = factories or default_factories()
    blueprint = AuthBlueprint(
        name,
        __name__,
        url_prefix=url_prefix,
        static_folder=static_folder(),
        static_url_path="/static",
    )
    rules = [
        (
            "/login",
            views.Login.as_view("login", authentication_manager_factory=f.authentication_manager),
        ),
        (
            "/two-factor",
            views.TwoFactor.as_view(
                "two_factor", authentication_manager_factory=f.authentication_manager
            ),
        ),
        (
            "/two-factor/passkey-options",
            passkey_views.SecondStepPasskeyOptions.as_view(
                "two_factor_passkey_options",
                authentication_manager_factory=f.authentication_manager,
            ),
        ),
        (
            "/two-factor/passkey",
            passkey_views.SecondStepPasskey.as_view(
                "two_factor_passkey", authentication_manager_factory=f.authentication_manager
            ),
        ),
        (
            "/passkey/options",
            passkey_views.PasskeySignInOptions.as_view(
                "passkey_sign_in_options", authentication_manager_factory=f.authentication_manager
            ),
        ),
        (
            "/passkey",
            passkey_views.PasskeySignIn.as_view(
                "passkey_sign_in", authentication_manager_factory=f.authentication_manager
            ),
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
            "/reauth/passkey-options",
            passkey_views.ReauthPasskeyOptions.as_view(
                "reauth_passkey_options",
                reauthentication_manager_factory=f.reauthentication_manager,
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
    blueprint.before_request(_check_csrf)
    blueprint.add_app_template_global(generate_csrf, "csrf_token")
    blueprint.add_app_template_global(static_url, "forumapp_static_url")
    blueprint.add_app_template_global(home_url)
    blueprint.add_app_template_global(endpoint_exists)
    blueprint.add_app_template_global(auth_url)
    blueprint.add_app_template_global(time_in_zone, "notice_time_in_zone")
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
)


def _bind_extensions(state: BlueprintSetupState) -> None:
    # An app that mounts only this blueprint still gets settings, CSRF protection and limits.
    app = cast(Flask, state.app)
    for key in CONFIG_KEYS:
        app.config.setdefault(key, getattr(settings, key))
    app.config.setdefault(BLUEPRINT_NAME_KEY, state.name)
    # Flask-WTF's settings, without its app-wide check: a host's JSON endpoints and forms
    # are its own business (see _check_csrf).
    for key, value in CSRF_DEFAULTS.items():
        app.config.setdefault(key, value)
    if limiter not in app.extensions.get("limiter", ()):
        bind_limiter(app)
    if "babel" not in app.extensions:
        # The pages, forms and messages speak through gettext: Flask-Babel, bound as
        # forumapp binds it, or a host app without it could not render them.
        configure_i18n(app)


#: Flask-WTF's defaults, which ``CSRFProtect.init_app`` would have set.
CSRF_DEFAULTS = {
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_CHECK_DEFAULT": True,
    "WTF_CSRF_METHODS": {"POST", "PUT", "PATCH", "DELETE"},
    "WTF_CSRF_FIELD_NAME": "csrf_token",
    "WTF_CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
    "WTF_CSRF_TIME_LIMIT": 3600,
    "WTF_CSRF_SSL_STRICT": True,
}


def _check_csrf() -> None:
    # An app that protects every view (forumapp's own) has already checked this request.
    if "csrf" in current_app.extensions or not current_app.config["WTF_CSRF_ENABLED"]:
        return
    csrf.protect()

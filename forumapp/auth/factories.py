"""The one place that wires the auth services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for :func:`forumapp.auth.create_auth_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.auth.emails import TemplateAccountMailer
from forumapp.auth.passkeys.factories import any_second_factor, passkey_service
from forumapp.auth.ports import AccessTokenStore
from forumapp.auth.second_factor.factories import (
    challenge_store,
    login_history,
    two_factor_service,
)
from forumapp.auth.services import (
    AccountActivator,
    AuthenticationManager,
    AuthSettings,
    PasswordResetService,
    ReauthenticationManager,
    RegistrationService,
)
from forumapp.auth.sign_in_notices import TemplateSignInNotices
from forumapp.auth.stores import SqlSessionStore, SqlUserStore
from forumapp.auth.tokens import TokenService
from forumapp.auth.urls import auth_endpoint
from forumapp.extensions import db
from forumapp.http import external_url
from forumapp.mail import MailDelivery
from forumapp.sqltypes import utcnow
from forumapp.users.factories import password_hasher, password_policy

#: ``app.extensions`` key of a factory of the app's :class:`AccessTokenStore` (forumapp's
#: JSON API tokens), which a password reset revokes. The app sets it: the API depends on
#: auth, not the other way round.
ACCESS_TOKENS = "forumapp.auth.access_tokens"


@dataclass(frozen=True)
class AuthFactories:
    """Service factories for the auth views, one per service."""

    authentication_manager: Callable[[], AuthenticationManager]
    reauthentication_manager: Callable[[], ReauthenticationManager]
    registration_service: Callable[[], RegistrationService]
    password_reset_service: Callable[[], PasswordResetService]
    account_activator: Callable[[], AccountActivator]


def auth_settings() -> AuthSettings:
    """The auth settings of the current app."""
    config = current_app.config
    return AuthSettings(
        activation_required=config["ACCOUNT_ACTIVATION_REQUIRED"],
        session_lifetime=config["AUTH_SESSION_LIFETIME"],
        remember_lifetime=config["REMEMBER_COOKIE_DURATION"],
        reset_token_max_age=config["PASSWORD_RESET_TOKEN_MAX_AGE"],
        activation_token_max_age=config["ACTIVATION_TOKEN_MAX_AGE"],
    )


def token_service() -> TokenService:
    """Tokens signed with the app's secret key."""
    return TokenService(current_app.secret_key or "", utcnow)


def account_mailer() -> TemplateAccountMailer:
    """Account emails with links into the auth blueprint, wherever it is mounted."""
    return TemplateAccountMailer(
        deliver=MailDelivery(current_app._get_current_object()).send,  # type: ignore[attr-defined]
        # Absolute endpoint names: the panel sends account emails from outside the blueprint.
        link=lambda endpoint, **values: external_url(auth_endpoint(endpoint), **values),
        site_name=current_app.config["SITE_NAME"],
    )


def sign_in_notices() -> TemplateSignInNotices:
    """The "new sign-in" notice, with links into the auth blueprint."""
    return TemplateSignInNotices(
        deliver=MailDelivery(current_app._get_current_object()).send,  # type: ignore[attr-defined]
        link=lambda endpoint, **values: external_url(auth_endpoint(endpoint), **values),
        site_name=current_app.config["SITE_NAME"],
    )


def access_token_store() -> AccessTokenStore | None:
    """The app's API tokens, if it has any."""
    factory: Callable[[], AccessTokenStore] | None = current_app.extensions.get(ACCESS_TOKENS)
    return factory() if factory is not None else None


def user_store() -> SqlUserStore:
    """forumapp's accounts table."""
    return SqlUserStore(db.session)


def session_store() -> SqlSessionStore:
    """forumapp's server-side login sessions."""
    return SqlSessionStore(db.session, utcnow)


def authentication_manager_factory() -> AuthenticationManager:
    """Build the login/logout service, with two-factor login, the login history and the
    new sign-in notice."""
    return AuthenticationManager(
        user_store(),
        session_store(),
        password_hasher(),
        db.session,
        auth_settings(),
        utcnow,
        second_factor=any_second_factor(),
        challenges=challenge_store(),
        history=login_history(),
        passkeys=passkey_service(),
        sign_in_notices=sign_in_notices(),
    )


def reauthentication_manager_factory() -> ReauthenticationManager:
    """Build the password (and second factor) confirmation service."""
    return ReauthenticationManager(
        user_store(),
        password_hasher(),
        db.session,
        utcnow,
        second_factor=two_factor_service(),
        passkeys=passkey_service(),
    )


def registration_service_factory() -> RegistrationService:
    """Build the registration service."""
    return RegistrationService(
        user_store(),
        password_hasher(),
        password_policy(),
        token_service(),
        account_mailer(),
        db.session,
        auth_settings(),
        utcnow,
    )


def password_reset_service_factory() -> PasswordResetService:
    """Build the password reset service."""
    return PasswordResetService(
        user_store(),
        session_store(),
        password_hasher(),
        password_policy(),
        token_service(),
        account_mailer(),
        db.session,
        auth_settings(),
        access_tokens=access_token_store(),
        clock=utcnow,
    )


def account_activator_factory() -> AccountActivator:
    """Build the account activation service."""
    return AccountActivator(
        user_store(), token_service(), account_mailer(), db.session, auth_settings()
    )


def default_factories() -> AuthFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return AuthFactories(
        authentication_manager=authentication_manager_factory,
        reauthentication_manager=reauthentication_manager_factory,
        registration_service=registration_service_factory,
        password_reset_service=password_reset_service_factory,
        account_activator=account_activator_factory,
    )

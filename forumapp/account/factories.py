"""The one place that wires the account services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for :func:`forumapp.account.create_account_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.account.credentials import factories as credential_factories
from forumapp.account.credentials.email_change import EmailChanger
from forumapp.account.credentials.password_change import PasswordChanger
from forumapp.account.credentials.sessions import SessionManager
from forumapp.account.leaving.deletion import AccountDeleter, DeletionSettings
from forumapp.account.leaving.export import DataExporter
from forumapp.account.leaving.farewell import TemplateGoodbyeMailer
from forumapp.account.preferences.services import PreferenceChoices, PreferencesService
from forumapp.account.profile.services import ProfileService
from forumapp.account.security.factories import security_report_factory
from forumapp.account.security.services import SecurityReport
from forumapp.auth.passkeys.factories import passkey_service
from forumapp.auth.passkeys.service import PasskeyService
from forumapp.auth.second_factor.factories import two_factor_service
from forumapp.auth.second_factor.service import TwoFactorService
from forumapp.avatars.errors import ImageLimits
from forumapp.avatars.service import AvatarService, AvatarSettings
from forumapp.avatars.stores import SqlAvatarKeys
from forumapp.extensions import db
from forumapp.http import external_url
from forumapp.jobs.factories import mail_delivery
from forumapp.localtime import known_timezones
from forumapp.management.audit.log import AuditLog
from forumapp.sqltypes import utcnow
from forumapp.storage import storage


@dataclass(frozen=True)
class AccountFactories:
    """Service factories for the account pages, one per service."""

    profile_service: Callable[[], ProfileService]
    preferences_service: Callable[[], PreferencesService]
    data_exporter: Callable[[], DataExporter]
    account_deleter: Callable[[], AccountDeleter]
    password_changer: Callable[[], PasswordChanger]
    email_changer: Callable[[], EmailChanger]
    session_manager: Callable[[], SessionManager]
    #: The security page: login history and second factor (``/settings/security``).
    security_report: Callable[[], SecurityReport]
    two_factor: Callable[[], TwoFactorService]
    #: Passkeys on the security page (``/settings/security/passkeys``).
    passkeys: Callable[[], PasskeyService]
    avatar_service: Callable[[], AvatarService]


def profile_service_factory() -> ProfileService:
    """The profile service over the app's database."""
    return ProfileService(db.session)


def preferences_service_factory() -> PreferencesService:
    """The preferences service over the app's database, with the configured choices."""
    config = current_app.config
    choices = PreferenceChoices(
        languages=config["LANGUAGES"],
        timezones=known_timezones(),
        default_timezone=config["DEFAULT_TIMEZONE"],
        default_page_size=config["POSTS_PER_PAGE"],
    )
    return PreferencesService(db.session, choices)


def data_exporter_factory() -> DataExporter:
    """A member's data export from forumapp's tables."""
    return DataExporter(db.session, utcnow)


def account_deleter_factory() -> AccountDeleter:
    """Account deletion over forumapp's tables, recorded in the audit log."""
    config = current_app.config
    mailer = TemplateGoodbyeMailer(
        deliver=mail_delivery(),
        link=external_url,
        site_name=config["SITE_NAME"],
    )
    settings = DeletionSettings(posts_removal_allowed=config["ACCOUNT_DELETE_POSTS_ALLOWED"])
    return AccountDeleter(db.session, AuditLog(db.session, utcnow), mailer, settings, utcnow)


def avatar_service_factory() -> AvatarService:
    """Avatars in the app's storage, keyed on forumapp's ``users`` table."""
    config = current_app.config
    limits = ImageLimits(max_bytes=config["AVATAR_MAX_BYTES"], max_side=config["AVATAR_MAX_SIDE"])
    return AvatarService(SqlAvatarKeys(db.session), storage(), db.session, AvatarSettings(limits))


def default_factories() -> AccountFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return AccountFactories(
        avatar_service=avatar_service_factory,
        profile_service=profile_service_factory,
        preferences_service=preferences_service_factory,
        data_exporter=data_exporter_factory,
        account_deleter=account_deleter_factory,
        password_changer=credential_factories.password_changer_factory,
        email_changer=credential_factories.email_changer_factory,
        session_manager=credential_factories.session_manager_factory,
        security_report=security_report_factory,
        two_factor=two_factor_service,
        passkeys=passkey_service,
    )

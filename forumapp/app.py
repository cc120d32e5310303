"""The application factory: a short list of named ``configure_*`` steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from forumapp import bodies, errors, headers
from forumapp.account import create_account_blueprint
from forumapp.api import create_api_blueprint
from forumapp.api.models import ApiToken
from forumapp.api.token_views import create_tokens_blueprint, token_service_factory
from forumapp.auth import create_auth_blueprint
from forumapp.auth.factories import ACCESS_TOKENS
from forumapp.auth.limits import ACCOUNT_RESOLVER
from forumapp.auth.models import AuthSession
from forumapp.auth.passkeys.models import Passkey, PasskeyChallenge
from forumapp.auth.second_factor.models import (
    LoginChallenge,
    LoginEvent,
    RecoveryCode,
    TotpCredential,
)
from forumapp.auth.stores import SqlSessionStore, SqlUserStore
from forumapp.avatars import create_avatars_blueprint
from forumapp.config import check_production, ensure_secret_key, instance_path, load_config
from forumapp.database import default_uri, tune_engine
from forumapp.demo.cli import demo_command
from forumapp.extensions import csrf, db, login_manager, mail, migrate
from forumapp.forum import create_forum_blueprint
from forumapp.forum.models import Category, Forum, ForumRead, Post, Report, Topic, TopicRead
from forumapp.http import install_text_converter
from forumapp.i18n import configure_i18n, create_i18n_blueprint
from forumapp.i18n.cli import translations_group
from forumapp.jobs import install_jobs
from forumapp.jobs.cli import jobs_command, worker_command
from forumapp.jobs.models import Job
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.look import compression, create_look_blueprint
from forumapp.mail import MailFailure
from forumapp.management import create_management_blueprint
from forumapp.management.audit.models import AuditEntry
from forumapp.management.settings.store import SettingsRevision, SiteSetting
from forumapp.messages import create_messages_blueprint
from forumapp.messages.models import Conversation, Message, MessageReport, Participant
from forumapp.notifications import create_notifications_blueprint
from forumapp.notifications.models import (
    EmailChoice,
    ForumWatch,
    Notification,
    TopicWatch,
    WatchPreference,
)
from forumapp.plugins import create_plugins_blueprint
from forumapp.plugins.install import install_plugins
from forumapp.plugins.models import ExtensionsState, PluginSettingValue, PluginState
from forumapp.policies import create_policies_blueprint
from forumapp.ratelimit import bind_limiter
from forumapp.reading import create_reading_blueprint
from forumapp.resources import migrations_folder, static_folder, template_folder
from forumapp.setup import create_setup_blueprint
from forumapp.sqltypes import utcnow
from forumapp.storage.factories import install_storage
from forumapp.storage.views import create_media_blueprint
from forumapp.users.blocks import UserBlock
from forumapp.users.cli import create_admin_command
from forumapp.users.models import Group, User

#: The models whose tables the migrations manage.
MODELS = (
    User,
    Group,
    AuthSession,
    Category,
    Forum,
    Topic,
    Post,
    TopicRead,
    ForumRead,
    Report,
    AuditEntry,
    SiteSetting,
    SettingsRevision,
    ApiToken,
    MailFailure,
    TotpCredential,
    RecoveryCode,
    LoginChallenge,
    LoginEvent,
    Passkey,
    PasskeyChallenge,
    Job,
    Conversation,
    Participant,
    Message,
    MessageReport,
    UserBlock,
    PluginState,
    PluginSettingValue,
    ExtensionsState,
    Notification,
    TopicWatch,
    ForumWatch,
    EmailChoice,
    WatchPreference,
)


def create_app(config_overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create a forumapp application; ``config_overrides`` win over every other source."""
    app = Flask(
        "forumapp",
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=template_folder(),
        static_folder=static_folder(),
    )
    configure_settings(app, config_overrides)
    configure_proxy(app)
    configure_requests(app)
    configure_database(app)
    configure_extensions(app)
    configure_login(app)
    configure_i18n(app)
    configure_storage(app)
    configure_jobs(app)
    configure_blueprints(app)
    configure_plugins(app)
    configure_responses(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Load defaults, the TOML file and the environment; refuse unsafe production setups."""
    load_config(app.config, overrides)
    ensure_secret_key(app.config, app.instance_path)
    check_production(app.config)


def configure_proxy(app: Flask) -> None:
    """Trust ``X-Forwarded-*`` from exactly ``PROXY_FIX_X_FOR`` proxies, never more."""
    x_for = app.config["PROXY_FIX_X_FOR"]
    x_proto = app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)  # type: ignore[method-assign]


def configure_requests(app: Flask) -> None:
    """Hold every request body to ``MAX_CONTENT_LENGTH``, chunked ones too, and keep control
    characters out of the URL path segments views receive."""
    bodies.install(app)
    install_text_converter(app)


def configure_database(app: Flask) -> None:
    """SQLite in the instance folder unless a database URI is configured."""
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = default_uri(app.instance_path)
    db.init_app(app)
    tune_engine(app)
    # Batch mode lets Alembic alter SQLite tables by copying them.
    migrate.init_app(app, db, directory=migrations_folder(), render_as_batch=True)


def configure_extensions(app: Flask) -> None:
    """Bind CSRF protection, mail, the rate limiter and response compression."""
    csrf.init_app(app)
    mail.init_app(app)
    bind_limiter(app)
    compression.install(app)


def configure_login(app: Flask) -> None:
    """Flask-Login identifies a browser by its server-side session token."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.refresh_view = "auth.reauth"
    # Lazy, and made text when flashed: in the language of the page that asked for a login.
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.needs_refresh_message = _l("Please confirm your password to continue.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    # Revocation is server-side; IP/agent heuristics would only log out mobile users.
    login_manager.session_protection = None
    login_manager.user_loader(load_user)
    app.extensions[ACCOUNT_RESOLVER] = resolve_account_id
    app.extensions[ACCESS_TOKENS] = token_service_factory


def load_user(token: str) -> User | None:
    """The user of a live login session."""
    return SqlSessionStore(db.session, utcnow).load_user(token)


def resolve_account_id(login: str) -> int | None:
    """The id of the account a username or email address names, for per-account limits."""
    user = SqlUserStore(db.session).find_by_login(login)
    return user.id if user is not None else None


def configure_storage(app: Flask) -> None:
    """Uploaded files go where ``STORAGE_URL`` says (the instance folder by default)."""
    install_storage(app)


def configure_jobs(app: Flask) -> None:
    """Background jobs go through the queue ``JOBS_URL`` names (SQLite by default)."""
    install_jobs(app)


def configure_blueprints(app: Flask) -> None:
    """Mount the blueprints."""
    app.register_blueprint(create_forum_blueprint())
    app.register_blueprint(create_reading_blueprint())
    app.register_blueprint(create_policies_blueprint())
    app.register_blueprint(create_i18n_blueprint())
    app.register_blueprint(create_management_blueprint())
    app.register_blueprint(create_auth_blueprint())
    app.register_blueprint(create_tokens_blueprint())
    app.register_blueprint(create_account_blueprint())
    app.register_blueprint(create_api_blueprint())
    app.register_blueprint(create_setup_blueprint())
    app.register_blueprint(create_media_blueprint())
    app.register_blueprint(create_avatars_blueprint())
    app.register_blueprint(create_messages_blueprint())
    app.register_blueprint(create_look_blueprint())
    app.register_blueprint(create_plugins_blueprint())
    app.register_blueprint(create_notifications_blueprint())


def configure_plugins(app: Flask) -> None:
    """Run the plugins enabled in the panel (their blueprints too) in the chosen theme."""
    install_plugins(app)


def configure_responses(app: Flask) -> None:
    """Security headers and error pages."""
    headers.install(app)
    errors.install(app)


def configure_cli(app: Flask) -> None:
    """Commands available as ``forumapp ...`` and ``flask --app forumapp ...``."""
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(translations_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_command)

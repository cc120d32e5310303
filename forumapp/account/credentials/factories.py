"""Factories of the credentials services (password, email address, sessions), wired from
the app's configuration; :mod:`forumapp.account.factories` bundles them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, request

from forumapp.account.credentials.email_change import EmailChanger
from forumapp.account.credentials.notices import TemplateSecurityNotices
from forumapp.account.credentials.password_change import PasswordChanger
from forumapp.account.credentials.sessions import SessionManager
from forumapp.account.credentials.stores import SqlDeviceSessions, SqlEmailAccounts, SqlEmailChanges
from forumapp.auth.factories import access_token_store, auth_settings, session_store, user_store
from forumapp.auth.urls import auth_endpoint
from forumapp.extensions import db
from forumapp.http import external_url
from forumapp.jobs.factories import mail_delivery
from forumapp.sqltypes import utcnow
from forumapp.users.factories import password_hasher, password_policy


def security_notices() -> TemplateSecurityNotices:
    """Notices with absolute links into this blueprint and the auth blueprint."""

    def account_link(endpoint: str, **values: Any) -> str:
        # Called while serving an account page: the blueprint's name is the request's.
        return external_url(f"{request.blueprint}.{endpoint}", **values)

    def auth_link(endpoint: str, **values: Any) -> str:
        return external_url(auth_endpoint(endpoint), **values)

    return TemplateSecurityNotices(
        deliver=mail_delivery(),
        account_link=account_link,
        auth_link=auth_link,
        site_name=current_app.config["SITE_NAME"],
    )


def password_changer_factory() -> PasswordChanger:
    """Build the password change service."""
    return PasswordChanger(
        user_store(),
        session_store(),
        password_hasher(),
        password_policy(),
        security_notices(),
        db.session,
        auth_settings(),
        utcnow,
        access_tokens=access_token_store(),
    )


def email_changer_factory() -> EmailChanger:
    """Build the email change service."""
    max_age = current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"]
    return EmailChanger(
        SqlEmailAccounts(db.session),
        SqlEmailChanges(db.session),
        session_store(),
        security_notices(),
        db.session,
        utcnow,
        timedelta(seconds=max_age),
    )


def session_manager_factory() -> SessionManager:
    """Build the sessions page's service."""
    return SessionManager(SqlDeviceSessions(db.session, utcnow), db.session)

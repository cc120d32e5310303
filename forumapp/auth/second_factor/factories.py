"""Wiring of the second-factor services from the app's configuration (inside a request)."""

from __future__ import annotations

from flask import current_app

from forumapp.auth.passkeys.stores import PasskeysPresent
from forumapp.auth.second_factor.emails import TemplateSecondFactorMailer
from forumapp.auth.second_factor.sealing import SecretBox
from forumapp.auth.second_factor.service import TwoFactorService, TwoFactorSettings
from forumapp.auth.second_factor.stores import (
    SqlChallengeStore,
    SqlLoginHistory,
    SqlSecondFactorStore,
)
from forumapp.auth.urls import auth_endpoint
from forumapp.extensions import db
from forumapp.http import external_url
from forumapp.jobs.factories import mail_delivery
from forumapp.sqltypes import utcnow

#: Login attempts kept per account; older ones are deleted as new ones are recorded.
LOGIN_HISTORY_KEPT = 50


def second_factor_mailer() -> TemplateSecondFactorMailer:
    """The notices, with links into the auth blueprint wherever it is mounted."""
    return TemplateSecondFactorMailer(
        deliver=mail_delivery(),
        link=lambda endpoint, **values: external_url(auth_endpoint(endpoint), **values),
        site_name=current_app.config["SITE_NAME"],
    )


def two_factor_service() -> TwoFactorService:
    """Authenticator apps and recovery codes over forumapp's tables."""
    return TwoFactorService(
        SqlSecondFactorStore(db.session),
        SecretBox(current_app.secret_key or ""),
        second_factor_mailer(),
        db.session,
        TwoFactorSettings(issuer=current_app.config["SITE_NAME"]),
        utcnow,
        others=PasskeysPresent(db.session),
    )


def challenge_store() -> SqlChallengeStore:
    """Logins waiting for their second step."""
    return SqlChallengeStore(db.session)


def login_history() -> SqlLoginHistory:
    """The recent login attempts of each account."""
    return SqlLoginHistory(db.session, keep=LOGIN_HISTORY_KEPT)

"""Wiring of the passkey service from the app's configuration (inside a request)."""

from __future__ import annotations

from flask import current_app

from forumapp.auth.passkeys.ceremony import RelyingParty
from forumapp.auth.passkeys.service import PasskeyService, PasskeySettings
from forumapp.auth.passkeys.stores import SqlChallengeStore, SqlPasskeyStore
from forumapp.auth.second_factor.combined import AnySecondFactor
from forumapp.auth.second_factor.factories import second_factor_mailer, two_factor_service
from forumapp.extensions import db
from forumapp.http import LOCAL_EXTERNAL_URL
from forumapp.sqltypes import utcnow


def relying_party() -> RelyingParty:
    """The site passkeys belong to, named by ``EXTERNAL_URL`` (never the request's Host)."""
    config = current_app.config
    return RelyingParty.from_external_url(
        config.get("EXTERNAL_URL") or LOCAL_EXTERNAL_URL, config["SITE_NAME"]
    )


def passkey_service() -> PasskeyService:
    """Passkeys over forumapp's tables, next to the authenticator app."""
    return PasskeyService(
        SqlPasskeyStore(db.session),
        SqlChallengeStore(db.session),
        two_factor_service(),
        second_factor_mailer(),
        db.session,
        PasskeySettings(relying_party()),
        utcnow,
    )


def any_second_factor() -> AnySecondFactor:
    """The authenticator app and the passkeys: the second step a login asks for."""
    return AnySecondFactor(two_factor_service(), passkey_service())

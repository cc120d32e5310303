"""The one place that wires the account services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for :func:`forumapp.account.create_account_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.account.preferences.services import PreferenceChoices, PreferencesService
from forumapp.account.profile.services import ProfileService
from forumapp.extensions import db
from forumapp.localtime import known_timezones


@dataclass(frozen=True)
class AccountFactories:
    """Service factories for the account pages, one per service."""

    profile_service: Callable[[], ProfileService]
    preferences_service: Callable[[], PreferencesService]


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


def default_factories() -> AccountFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return AccountFactories(
        profile_service=profile_service_factory,
        preferences_service=preferences_service_factory,
    )

"""The one place that wires the account services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for :func:`forumapp.account.create_account_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.avatars.errors import ImageLimits
from forumapp.avatars.service import AvatarService, AvatarSettings
from forumapp.avatars.stores import SqlAvatarKeys
from forumapp.extensions import db
from forumapp.storage import storage


@dataclass(frozen=True)
class AccountFactories:
    """Service factories for the account pages, one per service."""

    avatar_service: Callable[[], AvatarService]


def avatar_service_factory() -> AvatarService:
    """Avatars in the app's storage, keyed on forumapp's ``users`` table."""
    config = current_app.config
    limits = ImageLimits(max_bytes=config["AVATAR_MAX_BYTES"], max_side=config["AVATAR_MAX_SIDE"])
    return AvatarService(SqlAvatarKeys(db.session), storage(), db.session, AvatarSettings(limits))


def default_factories() -> AccountFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return AccountFactories(avatar_service=avatar_service_factory)

"""The one place that wires the account services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for :func:`forumapp.account.create_account_blueprint`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountFactories:
    """Service factories for the account pages, one per service."""


def default_factories() -> AccountFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return AccountFactories()

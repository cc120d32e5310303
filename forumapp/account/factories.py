"""The one place that wires the account services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for :func:`forumapp.account.create_account_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forumapp.account.security.factories import security_report_factory
from forumapp.account.security.services import SecurityReport
from forumapp.auth.second_factor.factories import two_factor_service
from forumapp.auth.second_factor.service import TwoFactorService


@dataclass(frozen=True)
class AccountFactories:
    """Service factories for the account pages, one per service."""

    #: The security page: login history and second factor (``/settings/security``).
    security_report: Callable[[], SecurityReport]
    two_factor: Callable[[], TwoFactorService]


def default_factories() -> AccountFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return AccountFactories(
        security_report=security_report_factory,
        two_factor=two_factor_service,
    )

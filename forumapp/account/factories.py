"""The one place that wires the account services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service.
:func:`default_factories` bundles them for :func:`forumapp.account.create_account_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forumapp.account import credential_factories
from forumapp.account.device_sessions import SessionManager
from forumapp.account.email_change import EmailChanger
from forumapp.account.password_change import PasswordChanger


@dataclass(frozen=True)
class AccountFactories:
    """Service factories for the account pages, one per service."""

    password_changer: Callable[[], PasswordChanger]
    email_changer: Callable[[], EmailChanger]
    session_manager: Callable[[], SessionManager]


def default_factories() -> AccountFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return AccountFactories(
        password_changer=credential_factories.password_changer_factory,
        email_changer=credential_factories.email_changer_factory,
        session_manager=credential_factories.session_manager_factory,
    )

"""The one place that wires the setup service from the app's configuration.

:func:`default_factories` bundles the factories for
:func:`forumapp.setup.create_setup_blueprint`, as :mod:`forumapp.auth.factories` does
for the auth blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.extensions import db
from forumapp.management.factories import settings_store_factory
from forumapp.setup.codes import SetupCodeFile
from forumapp.setup.services import FirstRunSetup
from forumapp.users.factories import admin_accounts


@dataclass(frozen=True)
class SetupFactories:
    """Service factories for the setup page."""

    first_run_setup: Callable[[], FirstRunSetup]


def setup_code() -> SetupCodeFile:
    """The setup code of the current app's instance folder."""
    return SetupCodeFile(current_app.instance_path)


def first_run_setup_factory() -> FirstRunSetup:
    """The setup service over the app's database and instance folder."""
    return FirstRunSetup(db.session, admin_accounts(), setup_code(), settings_store_factory())


def default_factories() -> SetupFactories:
    """forumapp's own setup service."""
    return SetupFactories(first_run_setup=first_run_setup_factory)

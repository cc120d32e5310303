"""The one place that wires the plugin pages' services to the app.

:func:`default_factories` bundles them for :func:`forumapp.plugins.create_plugins_blueprint`;
pass others to mount the pages over services of your own (or fakes, in tests).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from flask import current_app

from forumapp.extensions import db
from forumapp.management.audit.log import AuditLog
from forumapp.plugins.current import EXTENSIONS_KEY
from forumapp.plugins.live import LiveExtensions
from forumapp.plugins.services import PluginAdministration
from forumapp.sqltypes import utcnow


@dataclass(frozen=True)
class PluginFactories:
    """What the plugin and theme pages are built with."""

    administration: Callable[[], PluginAdministration]
    #: The worker's plugins and theme (what runs here, what failed here).
    extensions: Callable[[], LiveExtensions]


def administration_over(
    installed: Collection[str], themes: Collection[str]
) -> Callable[[], PluginAdministration]:
    """A factory of the administration service over the app's database, knowing which
    plugins and themes exist, recording into the audit log."""

    def administration() -> PluginAdministration:
        return PluginAdministration(
            db.session, AuditLog(db.session, utcnow), utcnow, installed, themes
        )

    return administration


def current_extensions() -> LiveExtensions:
    """The current app's plugins and theme."""
    live = current_app.extensions[EXTENSIONS_KEY]
    assert isinstance(live, LiveExtensions)
    return live


def administration_factory() -> PluginAdministration:
    """The administration service of the current app's plugins and themes."""
    live = current_extensions()
    return administration_over(live.host.installed, live.themes)()


def default_factories() -> PluginFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return PluginFactories(administration=administration_factory, extensions=current_extensions)

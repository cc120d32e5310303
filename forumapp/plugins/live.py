"""One worker's plugins, plugin settings and theme, kept in step with what administrators
chose: each worker compares the shared revision at most every ``SETTINGS_CHECK_SECONDS``
(the worker that made a change at once) and reloads when it moved."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from forumapp.extensions import db
from forumapp.persistence import PersistenceError
from forumapp.plugins.host import PluginHost
from forumapp.plugins.services import PluginAdministration, Snapshot
from forumapp.plugins.settings import PluginSetting, setting_values
from forumapp.themes.manifest import Theme

log = logging.getLogger(__name__)

SETTINGS_HOOK = "forumapp_plugin_settings"


class LiveExtensions:
    """What one worker runs: the loaded plugins (``host``), their settings, the theme.

    ``find_themes`` lists the installed themes (forumapp's, the instance folder's and the
    loaded plugins'); it is asked again whenever the plugins change, so a plugin's themes
    come and go with it, without a restart. ``administration`` builds the service over
    the request's database session; ``use_theme`` puts a theme's templates in front of
    the defaults; ``interval`` says how many seconds may pass between two looks at the
    revision.
    """

    def __init__(
        self,
        host: PluginHost,
        find_themes: Callable[[], Mapping[str, Theme]],
        administration: Callable[[], PluginAdministration],
        use_theme: Callable[[Theme | None], None],
        interval: Callable[[], float],
    ) -> None:
        self.host = host
        self._find_themes = find_themes
        self.themes = dict(find_themes())
        self.theme: Theme | None = None
        self._administration = administration
        self._use_theme = use_theme
        self._interval = interval
        self._settings: Mapping[str, Mapping[str, Any]] = {}
        self._seen: int | None = None
        self._checked_at = float("-inf")

    def refresh(self) -> None:
        """Store new plugin failures, then reload when the revision moved (looked at, at
        most, every ``interval`` seconds)."""
        failures = self.host.take_unreported_failures()
        if failures:
            self._store_failures(failures)
        now = time.monotonic()
        if now - self._checked_at < self._interval():
            return
        self._checked_at = now
        administration = self._administration()
        try:
            revision = administration.revision()
            if revision != self._seen:
                self.apply(administration.snapshot())
        except (OperationalError, ProgrammingError):
            # No plugin tables yet: the schema is older than this code. Nothing runs
            # until `forumapp db upgrade` has added them.
            db.session.rollback()
            log.warning("Plugins and themes unavailable: run `forumapp db upgrade`.")

    def expire(self) -> None:
        """Look at the revision on the next request (this worker just changed something)."""
        self._checked_at = float("-inf")

    def rescan_themes(self) -> None:
        """Look for installed themes again (a folder just put in the instance folder)."""
        self.themes = dict(self._find_themes())

    def apply(self, snapshot: Snapshot) -> None:
        """Run the enabled plugins, with their settings, in the chosen theme."""
        self.host.apply(snapshot.enabled)
        self.rescan_themes()
        self._settings = snapshot.settings
        theme = self.themes.get(snapshot.theme) if snapshot.theme else None
        if snapshot.theme and theme is None:
            log.warning("The active theme %s is not installed: using the default", snapshot.theme)
        if theme != self.theme:
            self._use_theme(theme)
            self.theme = theme
        self._seen = snapshot.revision
        self._checked_at = time.monotonic()

    def setting_definitions(self, plugin: str) -> list[PluginSetting]:
        """The settings ``plugin`` declares (none when it is not loaded)."""
        definitions: list[PluginSetting] = []
        for result in self.host.call(SETTINGS_HOOK, only=[plugin]):
            definitions.extend(item for item in result.value if isinstance(item, PluginSetting))
        return definitions

    def settings_of(self, plugin: str) -> dict[str, Any]:
        """Each of ``plugin``'s settings: its saved value, or its default."""
        return setting_values(self.setting_definitions(plugin), self._settings.get(plugin, {}))

    def setting(self, plugin: str, key: str) -> Any:
        """One of ``plugin``'s settings (``KeyError`` for a key it does not declare)."""
        return self.settings_of(plugin)[key]

    def _store_failures(self, failures: Mapping[str, str]) -> None:
        try:
            self._administration().record_failures(failures)
        except (PersistenceError, SQLAlchemyError):
            # This worker has dropped them already; the next request tries again.
            log.warning("Could not record failed plugins %s", sorted(failures), exc_info=True)
            for name, error in failures.items():
                self.host.drop(name, error)
            return
        self.expire()

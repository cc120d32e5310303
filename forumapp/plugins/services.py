"""Administering plugins and themes: which run, their settings, the active theme.

Every change is one transaction that also bumps the shared revision (each worker reloads
when it sees a new one) and writes an audit log entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.persistence import DbSession, atomic, upsert
from forumapp.plugins.models import ExtensionsState, PluginSettingValue, PluginState
from forumapp.plugins.settings import PluginSetting, encode

#: Who the audit log names when forumapp itself disables a failing plugin.
FORUMAPP = Auditor(None, "forumapp", "")


@dataclass(frozen=True)
class Snapshot:
    """Everything a worker applies: enabled plugins, their settings, the active theme."""

    revision: int
    enabled: frozenset[str]
    theme: str | None
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)


class SettingsRefused(Exception):
    """Some plugin settings were refused: ``problems`` maps keys to reasons."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


class PluginAdministration:
    """Reads and changes the stored state of plugins and themes.

    ``installed`` and ``themes`` are the names that exist in this installation; changes
    to others are refused as not found.
    """

    def __init__(
        self,
        session: DbSession,
        audit: AuditLog,
        clock: Callable[[], datetime],
        installed: Collection[str] = (),
        themes: Collection[str] = (),
    ) -> None:
        self._session = session
        self._audit = audit
        self._clock = clock
        self._installed = installed
        self._themes = themes

    def revision(self) -> int:
        """The current revision (0 before the first change)."""
        return self._session.scalar(select(ExtensionsState.revision)) or 0

    def snapshot(self) -> Snapshot:
        """The stored state, as every worker should apply it."""
        row = self._session.execute(select(ExtensionsState.revision, ExtensionsState.theme)).first()
        states = self._session.execute(
            select(PluginState.name, PluginState.enabled, PluginState.error)
        ).all()
        settings: dict[str, dict[str, Any]] = {}
        for plugin, key, value in self._session.execute(
            select(PluginSettingValue.plugin, PluginSettingValue.key, PluginSettingValue.value)
        ):
            settings.setdefault(plugin, {})[key] = json.loads(value)
        return Snapshot(
            revision=row.revision if row else 0,
            enabled=frozenset(name for name, enabled, _ in states if enabled),
            theme=row.theme if row else None,
            settings=settings,
            errors={name: error for name, _, error in states if error},
        )

    def set_enabled(self, auditor: Auditor, plugin: str, enabled: bool) -> bool:
        """Enable or disable an installed plugin; whether anything changed."""
        if plugin not in self._installed:
            raise NotFound("No such plugin is installed.")
        with atomic(self._session):
            current = self._session.get(PluginState, plugin)
            if current is not None and current.enabled == enabled and not current.error:
                return False
            self._store_state(plugin, enabled, "")
            self._bump()
            action = "plugin.enable" if enabled else "plugin.disable"
            self._audit.record(auditor, action, "plugin", None, plugin)
        return True

    def record_failures(self, failures: Mapping[str, str]) -> None:
        """Disable plugins that raised, keeping their errors for the panel."""
        if not failures:
            return
        with atomic(self._session):
            for plugin, error in sorted(failures.items()):
                self._store_state(plugin, False, error)
                self._audit.record(FORUMAPP, "plugin.fail", "plugin", None, plugin, error)
            self._bump()

    def save_settings(
        self,
        auditor: Auditor,
        plugin: str,
        definitions: Collection[PluginSetting],
        current: Mapping[str, Any],
        values: Mapping[str, Any],
    ) -> list[str]:
        """Validate and store a plugin's settings; returns the keys that changed."""
        if plugin not in self._installed:
            raise NotFound("No such plugin is installed.")
        known = {setting.key: setting for setting in definitions}
        problems = {
            key: (known[key].check(value) if key in known else _l("Not a setting of this plugin."))
            for key, value in values.items()
        }
        refused = {key: reason for key, reason in problems.items() if reason}
        if refused:
            raise SettingsRefused(refused)
        changed = [key for key, value in values.items() if current.get(key) != value]
        if not changed:
            return []
        with atomic(self._session):
            now = self._clock()
            for key in changed:
                upsert(
                    self._session,
                    PluginSettingValue,
                    {"plugin": plugin, "key": key, "value": encode(values[key]), "updated_at": now},
                    conflict=("plugin", "key"),
                    update=lambda new: {"value": new.value, "updated_at": new.updated_at},
                )
            self._bump()
            summary = ", ".join(f"{key}: {current.get(key)!r} → {values[key]!r}" for key in changed)
            self._audit.record(auditor, "plugin.settings", "plugin", None, plugin, summary)
        return changed

    def choose_theme(self, auditor: Auditor, theme: str | None) -> bool:
        """Make ``theme`` the active one (``None``: the default look); whether it changed."""
        if theme is not None and theme not in self._themes:
            raise InvalidInput("theme", _l("No such theme is installed."))
        with atomic(self._session):
            current = self._session.scalar(select(ExtensionsState.theme))
            if current == theme:
                return False
            self._session.execute(
                update(ExtensionsState)
                .where(ExtensionsState.id == 1)
                .values(theme=theme, revision=ExtensionsState.revision + 1)
            )
            self._audit.record(
                auditor, "theme.choose", "theme", None, theme or "default", f"{current} → {theme}"
            )
        return True

    def _store_state(self, plugin: str, enabled: bool, error: str) -> None:
        upsert(
            self._session,
            PluginState,
            {"name": plugin, "enabled": enabled, "error": error, "updated_at": self._clock()},
            conflict=("name",),
            update=lambda new: {
                "enabled": new.enabled,
                "error": new.error,
                "updated_at": new.updated_at,
            },
        )

    def _bump(self) -> None:
        self._session.execute(
            update(ExtensionsState)
            .where(ExtensionsState.id == 1)
            .values(revision=ExtensionsState.revision + 1)
        )

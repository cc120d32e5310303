"""The plugins of one worker: which are loaded, which failed, and calling their hooks safely.

A :class:`PluginHost` belongs to one app. It imports a plugin when the plugin is enabled
and drops it when it is disabled; a plugin that raises, on import or in a hook, is dropped
at once with its error kept for the panel, and the caller carries on without it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pluggy

from forumapp.plugins import hookspecs
from forumapp.plugins.discovery import InstalledPlugin

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HookResult:
    """What one plugin's implementation of a hook returned."""

    plugin: str
    value: Any


def describe_error(exc: BaseException) -> str:
    """One line for the panel: the exception's type and message."""
    message = " ".join(str(exc).split())[:500]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class PluginHost:
    """Loads the enabled plugins into a pluggy plugin manager and calls their hooks."""

    def __init__(self, installed: Sequence[InstalledPlugin]) -> None:
        self.installed: dict[str, InstalledPlugin] = {plugin.name: plugin for plugin in installed}
        self._manager = pluggy.PluginManager(hookspecs.PROJECT)
        self._manager.add_hookspecs(hookspecs)
        self._failures: dict[str, str] = {}
        self._unreported: dict[str, str] = {}
        self._lock = threading.Lock()
        #: Plugins whose blueprints were registered when the app was created.
        self.started_with_blueprints: set[str] = set()

    @property
    def loaded(self) -> frozenset[str]:
        """Names of the plugins whose hooks run in this worker."""
        return frozenset(name for name, _ in self._manager.list_name_plugin())

    def failures(self) -> Mapping[str, str]:
        """The error of each plugin that failed in this worker since it started."""
        return dict(self._failures)

    def take_unreported_failures(self) -> dict[str, str]:
        """Failures not yet handed out by this method (to be stored for every worker)."""
        with self._lock:
            failures, self._unreported = self._unreported, {}
        return failures

    def apply(self, enabled: Iterable[str]) -> None:
        """Load the ``enabled`` plugins that are installed and drop the others."""
        wanted = {name for name in enabled if name in self.installed}
        with self._lock:
            for name in self.loaded - wanted:
                self._manager.unregister(name=name)
            for name in sorted(wanted - self.loaded):
                self._load(self.installed[name])

    def _load(self, plugin: InstalledPlugin) -> None:
        try:
            module = plugin.load()
            self._manager.register(module, name=plugin.name)
        except Exception as exc:  # a plugin may raise anything on import
            log.warning("Plugin %s failed to load and stays disabled", plugin.name, exc_info=True)
            self._fail(plugin.name, describe_error(exc))
        else:
            self._failures.pop(plugin.name, None)

    def implements(self, hook: str) -> frozenset[str]:
        """Names of the loaded plugins that implement ``hook``."""
        return frozenset(impl.plugin_name for impl in self._impls(hook))

    def call(self, hook: str, only: Iterable[str] | None = None, **kwargs: Any) -> list[HookResult]:
        """Call each loaded plugin's implementation of ``hook`` (of the ``only`` ones when
        given), in name order; a plugin that raises is dropped and left out of the results."""
        wanted = None if only is None else set(only)
        results: list[HookResult] = []
        for impl in sorted(self._impls(hook), key=lambda impl: impl.plugin_name):
            if wanted is not None and impl.plugin_name not in wanted:
                continue
            try:
                value = impl.function(*(kwargs[name] for name in impl.argnames))
            except Exception as exc:  # a plugin may raise anything
                log.warning(
                    "Plugin %s raised in %s and is now disabled",
                    impl.plugin_name,
                    hook,
                    exc_info=True,
                )
                self.drop(impl.plugin_name, describe_error(exc))
            else:
                results.append(HookResult(impl.plugin_name, value))
        return results

    def drop(self, name: str, error: str) -> None:
        """Stop running plugin ``name`` in this worker, keeping ``error`` for the panel."""
        with self._lock:
            if self._manager.has_plugin(name):
                self._manager.unregister(name=name)
            self._fail(name, error)

    def _fail(self, name: str, error: str) -> None:
        self._failures[name] = error
        self._unreported[name] = error

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        caller: pluggy.HookCaller = getattr(self._manager.hook, hook)
        return caller.get_hookimpls()

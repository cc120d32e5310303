"""Plugins for the tests, declared the way installed ones are: entry points of the
``forumapp_plugins`` group whose values are these modules."""

from __future__ import annotations

from importlib.metadata import EntryPoint

from forumapp.plugins.discovery import ENTRY_POINT_GROUP, InstalledPlugin

#: Plugin name → module, for :func:`sample`.
MODULES = {
    "greeter": "tests.plugin_samples.greeter",
    "broken-import": "tests.plugin_samples.broken_import",
    "broken-hook": "tests.plugin_samples.broken_hook",
    "broken-event": "tests.plugin_samples.broken_event",
    "pages": "tests.plugin_samples.pages",
    "themed": "tests.plugin_samples.themed",
}


def sample(name: str) -> InstalledPlugin:
    """One of the sample plugins, as discovery describes an installed one."""
    entry_point = EntryPoint(name=name, value=MODULES[name], group=ENTRY_POINT_GROUP)
    return InstalledPlugin(name, "1.0", f"The {name} sample plugin", entry_point)


def samples(*names: str) -> list[InstalledPlugin]:
    """Several sample plugins (all of them when no name is given)."""
    return [sample(name) for name in names or MODULES]

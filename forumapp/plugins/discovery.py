"""Finding the installed plugins: the ``forumapp_plugins`` entry-point group.

A plugin's distribution declares, in its ``pyproject.toml``::

    [project.entry-points.forumapp_plugins]
    emoji = "forumapp_emoji"

Finding a plugin does not import it: its name, version and summary come from its
distribution's metadata, and its code is imported only once an administrator enabled it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

#: The entry-point group plugins declare themselves in.
ENTRY_POINT_GROUP = "forumapp_plugins"

#: What a plugin's name may look like: it appears in URLs and the database.
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass(frozen=True)
class InstalledPlugin:
    """A plugin installed in the Python environment, not necessarily enabled."""

    name: str
    version: str
    summary: str
    entry_point: EntryPoint

    def load(self) -> object:
        """Import the plugin: the module (or object) holding its hook implementations."""
        return self.entry_point.load()


def describe(entry_point: EntryPoint) -> InstalledPlugin:
    """The plugin an entry point declares, described by its distribution when it has one."""
    dist = entry_point.dist
    version = dist.version if dist is not None else ""
    summary = (dist.metadata["Summary"] or "") if dist is not None else ""
    return InstalledPlugin(entry_point.name, version, summary, entry_point)


def installed_plugins() -> list[InstalledPlugin]:
    """The plugins of the ``forumapp_plugins`` group with a usable name, sorted by name."""
    found = {
        entry_point.name: describe(entry_point)
        for entry_point in entry_points(group=ENTRY_POINT_GROUP)
        if _NAME.fullmatch(entry_point.name)
    }
    return [found[name] for name in sorted(found)]

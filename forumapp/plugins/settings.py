"""Plugin settings: declared by a plugin, edited by administrators, read by the plugin.

A plugin declares its settings from its ``forumapp_plugin_settings`` hook::

    @hookimpl
    def forumapp_plugin_settings():
        return [PluginSetting("GREETING", "Greeting", str, 1, 80, default="Hello")]

and reads the saved value (or the default) with
:func:`forumapp.plugins.current.plugin_setting`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forumapp.management.settings.store import Setting


@dataclass(frozen=True)
class PluginSetting(Setting):
    """A plugin's setting: a panel setting (text, number or yes/no) with a default."""

    default: Any = field(default="", kw_only=True)


def setting_values(definitions: list[PluginSetting], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Each setting's saved value when it is still valid, else its default."""
    values: dict[str, Any] = {}
    for setting in definitions:
        value = stored.get(setting.key, setting.default)
        values[setting.key] = setting.default if setting.check(value) else value
    return values


def encode(value: Any) -> str:
    """A setting's value as stored."""
    return json.dumps(value)

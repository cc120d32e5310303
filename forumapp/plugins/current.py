"""What plugins and templates reach through the current app."""

from __future__ import annotations

from typing import Any

from flask import current_app

#: ``app.extensions`` key of the app's :class:`forumapp.plugins.live.LiveExtensions`.
EXTENSIONS_KEY = "forumapp.extensions_state"


def plugin_setting(plugin: str, key: str) -> Any:
    """The value of setting ``key`` of ``plugin`` in the current app (its default until an
    administrator saved one); for plugins, inside a request or an app context."""
    return current_app.extensions[EXTENSIONS_KEY].setting(plugin, key)

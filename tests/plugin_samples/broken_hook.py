"""A plugin that imports fine and raises in its header hook."""

from __future__ import annotations

from forumapp.plugins import hookimpl


@hookimpl
def forumapp_tpl_header() -> str:
    raise ValueError("the header hook exploded")

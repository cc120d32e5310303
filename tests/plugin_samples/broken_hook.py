"""A plugin that imports fine and raises in its hooks."""

from __future__ import annotations

from forumapp.plugins import hookimpl


@hookimpl
def forumapp_tpl_header() -> str:
    raise ValueError("the header hook exploded")


@hookimpl
def forumapp_post_saved(event: object) -> None:
    raise ValueError("the post hook exploded")

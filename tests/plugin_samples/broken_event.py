"""A plugin that raises when told of a saved post, and in no other hook."""

from __future__ import annotations

from forumapp.plugins import hookimpl


@hookimpl
def forumapp_post_saved(event: object) -> None:
    raise ValueError("the post hook exploded")

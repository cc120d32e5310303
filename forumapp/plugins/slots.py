"""Template hooks: named slots in the templates that plugins fill.

A template marks a slot with ``{{ plugin_slot("post_footer", post=post) }}``; each
loaded plugin implementing the slot's hook adds its HTML. A plugin returns
:class:`~markupsafe.Markup` for HTML; plain text is escaped.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from forumapp.plugins.current import EXTENSIONS_KEY
from forumapp.themes.static import stylesheet_links, theme_file_url

#: Each slot's name and the hook that fills it.
SLOT_HOOKS = {
    "header": "forumapp_tpl_header",
    "post_footer": "forumapp_tpl_post_footer",
    "profile_sidebar": "forumapp_tpl_profile_sidebar",
    "admin_dashboard": "forumapp_tpl_admin_dashboard",
}


def plugin_slot(name: str, **context: Any) -> Markup:
    """What the loaded plugins put in slot ``name`` (nothing in an app without plugins)."""
    live = current_app.extensions.get(EXTENSIONS_KEY)
    if live is None:
        return Markup("")
    results = live.host.call(SLOT_HOOKS[name], **context)
    return Markup("").join(
        result.value if isinstance(result.value, Markup) else escape(result.value)
        for result in results
        if result.value
    )


def theme_static(filename: str) -> str:
    """The content-hashed URL of one of the active theme's static files."""
    live = current_app.extensions[EXTENSIONS_KEY]
    if live.theme is None:
        raise LookupError(f"no theme is active to serve {filename}")
    return theme_file_url(live.theme, filename)


def theme_head() -> Markup:
    """The active theme's stylesheet links, for the page's ``<head>``."""
    live = current_app.extensions.get(EXTENSIONS_KEY)
    return stylesheet_links(live.theme if live is not None else None)

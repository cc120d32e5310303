"""The hooks a forumapp plugin may implement, each named for what it does.

A plugin is a module (or any object) with functions marked ``@hookimpl`` whose names are
the ones below; it implements only the hooks it needs, and each may take fewer arguments
than its specification. Plugins are found through the ``forumapp_plugins`` entry-point
group and run only once an administrator enabled them at ``/admin/plugins``.

Every hook is called safely: a plugin that raises is logged, disabled and shown with its
error in the panel, and the page is served without its contribution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy
from markdown_it import MarkdownIt

from forumapp.events import MemberBanned, MemberRegistered, PostSaved, TopicCreated

#: The project name pluggy matches markers by.
PROJECT = "forumapp"
#: Marks a plugin's hook implementations: ``@hookimpl def forumapp_post_saved(event): ...``.
hookimpl = pluggy.HookimplMarker(PROJECT)
hookspec = pluggy.HookspecMarker(PROJECT)


# App and blueprint loading ------------------------------------------------------------


@hookspec
def forumapp_load_blueprints(app: Any) -> None:
    """Register the plugin's blueprints (and anything else) on the Flask ``app``.

    Called once, when the app is created, for plugins enabled then: a plugin enabled later
    shows "restart needed" in the panel until the workers restart. Requests to the
    blueprints of a plugin disabled meanwhile answer 404.
    """


# Settings and their admin form --------------------------------------------------------


@hookspec
def forumapp_plugin_settings() -> Sequence[Any]:
    """The plugin's settings, as :class:`forumapp.plugins.settings.PluginSetting` items.

    The panel shows them as a form at ``/admin/plugins/<name>``; the plugin reads the saved
    values with :func:`forumapp.plugins.settings.plugin_setting`.
    """


# Events: told after the work committed ------------------------------------------------


@hookspec
def forumapp_user_registered(event: MemberRegistered) -> None:
    """A new account was created."""


@hookspec
def forumapp_topic_created(event: TopicCreated) -> None:
    """A topic was started."""


@hookspec
def forumapp_post_saved(event: PostSaved) -> None:
    """A post was written or edited."""


@hookspec
def forumapp_member_banned(event: MemberBanned) -> None:
    """A member was banned."""


# Form extension -----------------------------------------------------------------------


@hookspec
def forumapp_register_form_fields() -> Mapping[str, Any]:
    """Fields to add to the registration form: names to unbound WTForms fields.

    Their validators run with the form's own; a refused value shows as a field error and
    no account is created. The page lists them after the built-in fields.
    """


# Markdown extension -------------------------------------------------------------------


@hookspec
def forumapp_markdown(parser: MarkdownIt) -> None:
    """Add rules to the markdown-it ``parser`` posts are rendered with.

    The HTML is sanitized after every rule ran, so a rule can only produce what posts may
    hold anyway; posts are rendered when saved, so existing posts keep their HTML.
    """


# Themes -------------------------------------------------------------------------------


@hookspec
def forumapp_themes() -> Sequence[Path]:
    """Folders of themes the plugin ships (each with a ``theme.toml``)."""


# Template hooks: named slots in the templates -----------------------------------------


@hookspec
def forumapp_tpl_header() -> str:
    """HTML for the site header, after the account links (``Markup``; text is escaped)."""


@hookspec
def forumapp_tpl_post_footer(post: Any) -> str:
    """HTML under each shown post; ``post`` is the post model."""


@hookspec
def forumapp_tpl_profile_sidebar(user: Any) -> str:
    """HTML for a member's profile page; ``user`` is the member model."""


@hookspec
def forumapp_tpl_admin_dashboard() -> str:
    """HTML for the management dashboard, under its own figures."""

"""Plugins (pluggy) and the panel's plugin and theme pages.

Plugins are found through the ``forumapp_plugins`` entry-point group
(:mod:`~forumapp.plugins.discovery`), implement the hooks of
:mod:`~forumapp.plugins.hookspecs`, run once enabled at ``/admin/plugins`` and are kept
in step across workers by :mod:`~forumapp.plugins.live`. ``create_app`` sets them up with
:func:`~forumapp.plugins.install.install_plugins` and mounts the pages with
:func:`create_plugins_blueprint`.
"""

from __future__ import annotations

from flask import Blueprint

from forumapp.auth.passkeys.factories import any_second_factor
from forumapp.domain_errors import answer_domain_errors
from forumapp.management.second_factor import StaffSecondFactor
from forumapp.plugins.factories import PluginFactories, default_factories
from forumapp.plugins.hookspecs import hookimpl
from forumapp.plugins.views import PluginSettingsView, PluginsView, ThemesView

__all__ = ["PluginFactories", "create_plugins_blueprint", "default_factories", "hookimpl"]


def create_plugins_blueprint(factories: PluginFactories | None = None) -> Blueprint:
    """The panel's ``/admin/plugins`` and ``/admin/themes`` pages."""
    f = factories or default_factories()
    bp = Blueprint("plugins", __name__, url_prefix="/admin")
    answer_domain_errors(bp)
    bp.before_request(StaffSecondFactor(any_second_factor))
    injected = {"administration_factory": f.administration, "extensions_factory": f.extensions}
    bp.add_url_rule("/plugins", view_func=PluginsView.as_view("plugins", **injected))
    bp.add_url_rule(
        "/plugins/<name>", view_func=PluginSettingsView.as_view("plugin_settings", **injected)
    )
    bp.add_url_rule("/themes", view_func=ThemesView.as_view("themes", **injected))
    return bp

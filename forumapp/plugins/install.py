"""Setting plugins and themes up in an app: what ``create_app`` runs once per worker."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from flask import Flask, abort, request
from sqlalchemy import URL
from sqlalchemy.exc import OperationalError, ProgrammingError

from forumapp.auth.forms import REGISTRATION_FIELDS
from forumapp.events import EVENTS_KEY
from forumapp.extensions import db
from forumapp.forum.factories import MARKDOWN_RENDERER
from forumapp.plugins.current import EXTENSIONS_KEY
from forumapp.plugins.discovery import InstalledPlugin, installed_plugins
from forumapp.plugins.events import PluginEvents
from forumapp.plugins.factories import administration_over
from forumapp.plugins.forms import registration_fields
from forumapp.plugins.host import PluginHost
from forumapp.plugins.live import LiveExtensions
from forumapp.plugins.markdown import PluginMarkdown
from forumapp.plugins.services import Snapshot
from forumapp.plugins.slots import plugin_slot, theme_head, theme_static
from forumapp.plugins.views import BLUEPRINT_HOOK
from forumapp.themes.catalogue import installed_themes
from forumapp.themes.loader import install_theme_loader, switch_theme
from forumapp.themes.manifest import Theme
from forumapp.themes.static import create_themes_blueprint

#: The state of a database without the plugin tables.
NOTHING_ENABLED = Snapshot(0, frozenset(), None)


def install_plugins(
    app: Flask, installed: Sequence[InstalledPlugin] | None = None
) -> LiveExtensions:
    """Load the plugins enabled in the database, mount their blueprints, find the themes
    and keep all of it in step with the panel; ``installed`` defaults to the plugins of
    the ``forumapp_plugins`` entry-point group."""
    host = PluginHost(installed_plugins() if installed is None else installed)
    snapshot = _stored_snapshot(app, host)
    host.apply(snapshot.enabled)
    owners = _mount_blueprints(app, host)
    find_themes = partial(_installed_themes, app.instance_path, host)
    install_theme_loader(app.jinja_env)
    live = LiveExtensions(
        host,
        find_themes,
        lambda: administration_over(host.installed, live.themes)(),
        partial(switch_theme, app.jinja_env),
        lambda: float(app.config["SETTINGS_CHECK_SECONDS"]),
    )
    live.apply(snapshot)
    app.extensions[EXTENSIONS_KEY] = live
    app.extensions[EVENTS_KEY] = PluginEvents(host)
    app.extensions[MARKDOWN_RENDERER] = PluginMarkdown(host).render
    app.extensions[REGISTRATION_FIELDS] = partial(registration_fields, host)
    app.before_request(live.refresh)
    app.before_request(partial(_refuse_disabled_blueprints, host, owners))
    app.add_template_global(plugin_slot)
    app.add_template_global(theme_head)
    app.add_template_global(theme_static)
    app.register_blueprint(create_themes_blueprint(lambda: live.themes))
    return live


def _installed_themes(instance_path: str, host: PluginHost) -> dict[str, Theme]:
    """forumapp's themes, the instance folder's and those of the plugins loaded now."""
    plugin_folders = [
        Path(folder) for result in host.call("forumapp_themes") for folder in result.value
    ]
    return installed_themes(instance_path, plugin_folders)


def _stored_snapshot(app: Flask, host: PluginHost) -> Snapshot:
    with app.app_context():
        if not _database_exists(db.engine.url):
            return NOTHING_ENABLED
        try:
            return administration_over(host.installed, ())().snapshot()
        except (OperationalError, ProgrammingError):
            # A database older than the plugin tables (before `forumapp db upgrade`):
            # nothing is enabled yet.
            db.session.rollback()
            return NOTHING_ENABLED
        finally:
            # No connection may outlive this read: a server that creates the app before
            # forking its workers (gunicorn --preload) would hand the same one to each.
            db.session.remove()
            db.engine.dispose()


def _database_exists(url: URL) -> bool:
    # Creating the app must not create a SQLite file (`forumapp run` may stop before it
    # uses the database, and `forumapp db upgrade` creates it): no file, nothing enabled.
    if url.get_backend_name() != "sqlite":
        return True
    database = url.database
    return database is not None and database not in ("", ":memory:") and Path(database).exists()


def _mount_blueprints(app: Flask, host: PluginHost) -> dict[str, str]:
    """Let each loaded plugin register its blueprints; returns their owners by name."""
    owners: dict[str, str] = {}
    for name in sorted(host.implements(BLUEPRINT_HOOK)):
        before = set(app.blueprints)
        host.call(BLUEPRINT_HOOK, only=[name], app=app)
        owners.update(dict.fromkeys(set(app.blueprints) - before, name))
        host.started_with_blueprints.add(name)
    return owners


def _refuse_disabled_blueprints(host: PluginHost, owners: dict[str, str]) -> None:
    # A blueprint stays mounted until the workers restart; its plugin's being disabled
    # takes effect at once all the same.
    blueprint = (request.blueprint or "").partition(".")[0]
    owner = owners.get(blueprint)
    if owner is not None and owner not in host.loaded:
        abort(404)

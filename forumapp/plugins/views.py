"""The panel's plugin and theme pages: ``/admin/plugins``, ``/admin/plugins/<name>`` and
``/admin/themes`` (administrators only, behind a fresh login)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from wtforms import SelectChoice

from forumapp.auth.decorators import fresh_login_required
from forumapp.forms import ForumForm
from forumapp.forum.errors import NotFound
from forumapp.management.access import Area, staff_only
from forumapp.management.panel import current_auditor, render_panel
from forumapp.management.settings.views import saved_message, submitted_values
from forumapp.plugins.forms import PluginSwitchForm, ThemeForm
from forumapp.plugins.live import LiveExtensions
from forumapp.plugins.services import PluginAdministration, SettingsRefused, Snapshot
from forumapp.themes.catalogue import DEFAULT

AdministrationFactory = Callable[[], PluginAdministration]
ExtensionsFactory = Callable[[], LiveExtensions]

BLUEPRINT_HOOK = "forumapp_load_blueprints"


@dataclass(frozen=True)
class PluginRow:
    """One installed plugin as the list shows it."""

    name: str
    version: str
    summary: str
    enabled: bool
    #: Why forumapp disabled it (it raised), in this worker or another one.
    error: str
    #: Enabled after this worker started, with blueprints that only a restart mounts.
    restart_needed: bool
    has_settings: bool


def plugin_rows(snapshot: Snapshot, live: LiveExtensions) -> list[PluginRow]:
    """The installed plugins with their stored state and what this worker knows of them."""
    host = live.host
    failures = host.failures()
    with_blueprints = host.implements(BLUEPRINT_HOOK)
    rows = []
    for name, plugin in sorted(host.installed.items()):
        enabled = name in snapshot.enabled
        rows.append(
            PluginRow(
                name=name,
                version=plugin.version,
                summary=plugin.summary,
                enabled=enabled,
                error=snapshot.errors.get(name) or failures.get(name, ""),
                restart_needed=enabled
                and name in with_blueprints
                and name not in host.started_with_blueprints,
                has_settings=enabled and bool(live.setting_definitions(name)),
            )
        )
    return rows


class ExtensionsPage(MethodView):
    """A page of the plugins and themes area: administrators only, behind a fresh login,
    over the administration service and this worker's state."""

    decorators = [fresh_login_required, staff_only(Area.PLUGINS)]
    init_every_request = False

    def __init__(
        self, administration_factory: AdministrationFactory, extensions_factory: ExtensionsFactory
    ) -> None:
        self.administration_factory = administration_factory
        self.extensions_factory = extensions_factory


class PluginsView(ExtensionsPage):
    """List the installed plugins; enable or disable one."""

    def get(self) -> ResponseReturnValue:
        snapshot = self.administration_factory().snapshot()
        return render_panel(
            "management/plugins.html",
            plugins=plugin_rows(snapshot, self.extensions_factory()),
            csrf_form=ForumForm(),
        )

    def post(self) -> ResponseReturnValue:
        form = PluginSwitchForm()
        if not form.validate_on_submit():
            abort(400)
        enable = form.action.data == "enable"
        changed = self.administration_factory().set_enabled(
            current_auditor(), form.plugin.data, enable
        )
        # This worker applies it on its next request; the others within SETTINGS_CHECK_SECONDS.
        self.extensions_factory().expire()
        if changed:
            name = form.plugin.data
            flash(
                _("Enabled %(name)s.", name=name) if enable else _("Disabled %(name)s.", name=name),
                "success",
            )
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for(".plugins"))


class PluginSettingsView(ExtensionsPage):
    """Show and save one enabled plugin's settings."""

    def get(self, name: str) -> ResponseReturnValue:
        return self._render(name, self._current(name), {})

    def post(self, name: str) -> ResponseReturnValue:
        if not ForumForm().validate_on_submit():
            abort(400)
        live = self.extensions_factory()
        current = self._current(name)
        definitions = live.setting_definitions(name)
        values, problems = submitted_values(definitions)
        if not problems:
            try:
                changed = self.administration_factory().save_settings(
                    current_auditor(), name, definitions, current, values
                )
            except SettingsRefused as exc:
                problems = exc.problems
            else:
                live.expire()
                flash(saved_message(changed), "success")
                return redirect(url_for(".plugin_settings", name=name))
        return self._render(name, {**current, **values}, problems), 200

    def _current(self, name: str) -> dict[str, object]:
        live = self.extensions_factory()
        if name not in live.host.loaded:
            # Only a running plugin can say which settings it has.
            raise NotFound(name)
        return live.settings_of(name)

    def _render(self, name: str, values: dict[str, object], problems: dict[str, str]) -> str:
        return render_panel(
            "management/plugin_settings.html",
            plugin=name,
            settings=self.extensions_factory().setting_definitions(name),
            values=values,
            problems=problems,
            csrf_form=ForumForm(),
        )


class ThemesView(ExtensionsPage):
    """List the installed themes; make one the active theme."""

    decorators = [fresh_login_required, staff_only(Area.THEMES)]

    def get(self) -> ResponseReturnValue:
        return self._render(self._form())

    def post(self) -> ResponseReturnValue:
        form = self._form()
        if not form.validate_on_submit():
            return self._render(form), 400
        theme = None if form.theme.data == DEFAULT else form.theme.data
        changed = self.administration_factory().choose_theme(current_auditor(), theme)
        self.extensions_factory().expire()
        flash(_("Theme changed.") if changed else _("Nothing changed."), "success")
        return redirect(url_for(".themes"))

    def _form(self) -> ThemeForm:
        live = self.extensions_factory()
        # A theme folder put in the instance folder since: listed without a restart.
        live.rescan_themes()
        form = ThemeForm()
        form.theme.choices = [SelectChoice(DEFAULT, _("Default"))] + [
            SelectChoice(theme.name, theme.title)
            for theme in live.themes.values()
            if theme.name != DEFAULT
        ]
        if not form.is_submitted():
            form.theme.data = live.theme.name if live.theme else DEFAULT
        return form

    def _render(self, form: ThemeForm) -> str:
        return render_panel(
            "management/themes.html", form=form, themes=self.extensions_factory().themes
        )

"""The settings page of the panel."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import ngettext

from forumapp.auth.decorators import fresh_login_required
from forumapp.forms import ForumForm
from forumapp.management.access import Area, staff_only
from forumapp.management.factories import ManagementFactories
from forumapp.management.panel import current_auditor, render_panel
from forumapp.management.settings.store import (
    EDITABLE,
    EDITABLE_KEYS,
    Setting,
    SettingsError,
    SettingsStore,
)

StoreFactory = Callable[[], SettingsStore]


def submitted_values(
    settings: Iterable[Setting] = EDITABLE,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's values of ``settings`` by key, typed; and fields that are not even numbers."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for setting in settings:
        raw = request.form.get(setting.key, "")
        if setting.kind is bool:
            values[setting.key] = raw == "y"
        elif setting.kind is int:
            try:
                values[setting.key] = int(raw)
            except ValueError:
                problems[setting.key] = _("Enter a whole number.")
        else:
            values[setting.key] = raw.strip()
    return values, problems


def saved_message(changed: list[str]) -> str:
    """What the settings pages say after a save that changed the keys ``changed``."""
    if not changed:
        return str(_("Nothing changed."))
    return str(ngettext("Saved %(num)d setting.", "Saved %(num)d settings.", len(changed)))


class SettingsView(MethodView):
    """Show and save the editable site settings (admins only)."""

    decorators = [fresh_login_required, staff_only(Area.SETTINGS)]
    init_every_request = False

    def __init__(self, store_factory: StoreFactory) -> None:
        self.store_factory = store_factory

    def get(self) -> ResponseReturnValue:
        current = {setting.key: current_app.config[setting.key] for setting in EDITABLE}
        return self._render(current, {})

    def post(self) -> ResponseReturnValue:
        if not ForumForm().validate_on_submit():
            abort(400)
        values, problems = submitted_values()
        for key, value in values.items():
            reason = EDITABLE_KEYS[key].check(value)
            if reason:
                problems.setdefault(key, reason)
        current = {setting.key: current_app.config[setting.key] for setting in EDITABLE}
        if not problems:
            try:
                changed = self.store_factory().save(current_auditor(), current, values)
            except SettingsError as exc:
                problems = exc.problems
            else:
                # This worker applies them now; the others within SETTINGS_CHECK_SECONDS.
                current_app.config.update({key: values[key] for key in changed})
                flash(saved_message(changed), "success")
                return redirect(url_for(".settings"))
        return self._render({**current, **values}, problems), 200

    def _render(self, values: dict[str, Any], problems: dict[str, str]) -> str:
        return render_panel(
            "management/settings.html",
            settings=EDITABLE,
            values=values,
            problems=problems,
            csrf_form=ForumForm(),
        )


def register(bp: Blueprint, factories: ManagementFactories) -> None:
    """Add the settings page to the panel."""
    bp.add_url_rule(
        "/settings",
        view_func=SettingsView.as_view("settings", store_factory=factories.settings_store),
    )

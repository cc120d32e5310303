"""The preferences page's view: a form over :class:`PreferencesService`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.account.limits import settings_saves_per_member
from forumapp.account.preferences.forms import PreferencesForm
from forumapp.account.preferences.services import PreferencesService
from forumapp.auth.decorators import login_required
from forumapp.forum.errors import InvalidInput

TEMPLATE = "account/preferences.html"


class PreferencesSettings(MethodView):
    """Show and save the member's preferences."""

    # login_required is outermost: the budget counts members, so it needs one.
    decorators = [settings_saves_per_member, login_required]
    init_every_request = False

    def __init__(self, preferences_service_factory: Callable[[], PreferencesService]) -> None:
        self.preferences_service_factory = preferences_service_factory

    def get(self) -> ResponseReturnValue:
        service = self.preferences_service_factory()
        current = service.preferences_of(current_user.id)
        form = PreferencesForm(service.choices, data=asdict(current))
        return render_template(TEMPLATE, form=form)

    def post(self) -> ResponseReturnValue:
        service = self.preferences_service_factory()
        form = PreferencesForm(service.choices)
        if not form.validate_on_submit():
            return render_template(TEMPLATE, form=form)
        try:
            service.save(current_user.id, form.preferences())
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return render_template(TEMPLATE, form=form)
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for(".preferences"))

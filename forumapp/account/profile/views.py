"""The profile page's view: a form over :class:`ProfileService`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.account.limits import settings_saves_per_member
from forumapp.account.profile.forms import ProfileForm
from forumapp.account.profile.services import ProfileService
from forumapp.auth.decorators import login_required
from forumapp.forum.errors import InvalidInput

TEMPLATE = "account/profile.html"


class ProfileSettings(MethodView):
    """Show and save the member's profile."""

    # login_required is outermost: the budget counts members, so it needs one.
    decorators = [settings_saves_per_member, login_required]
    init_every_request = False

    def __init__(self, profile_service_factory: Callable[[], ProfileService]) -> None:
        self.profile_service_factory = profile_service_factory

    def get(self) -> ResponseReturnValue:
        text = self.profile_service_factory().profile_of(current_user.id)
        return render_template(TEMPLATE, form=ProfileForm(data=asdict(text)))

    def post(self) -> ResponseReturnValue:
        form = ProfileForm()
        if not form.validate_on_submit():
            return render_template(TEMPLATE, form=form)
        try:
            self.profile_service_factory().save(current_user.id, form.profile_text())
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return render_template(TEMPLATE, form=form)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for(".profile"))

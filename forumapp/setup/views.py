"""The first-run setup page: the first administrator and the site's name."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _

from forumapp.forum.errors import InvalidInput
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.setup.forms import SetupForm
from forumapp.setup.limits import setup_per_client
from forumapp.setup.services import FirstRunSetup, SetupRequest, WrongSetupCode

SetupFactory = Callable[[], FirstRunSetup]
WRONG_CODE = _l("This is not the setup code. Copy it from the output of `forumapp run`.")


class Setup(MethodView):
    """Create the first administrator with the one-time code from the console.

    Answers 404 (the blueprint maps the service's ``NotFound``) once an administrator
    exists or while no code is pending.
    """

    decorators = [setup_per_client]
    init_every_request = False

    def __init__(self, setup_factory: SetupFactory) -> None:
        self.setup_factory = setup_factory

    def get(self) -> ResponseReturnValue:
        self.setup_factory().ensure_open()
        return render_template("setup/setup.html", form=SetupForm())

    def post(self) -> ResponseReturnValue:
        setup = self.setup_factory()
        setup.ensure_open()
        form = SetupForm()
        if not form.validate_on_submit():
            return render_template("setup/setup.html", form=form), 200
        try:
            user = setup.complete(
                SetupRequest(
                    code=form.code.data or "",
                    site_name=form.site_name.data or "",
                    username=form.username.data or "",
                    email=form.email.data or "",
                    password=form.password.data or "",
                    ip_address=request.remote_addr or "",
                ),
                current_app.config["SITE_NAME"],
            )
        except WrongSetupCode:
            form.code.errors = [WRONG_CODE]
            return render_template("setup/setup.html", form=form), 200
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return render_template("setup/setup.html", form=form), 200
        # This worker shows the name at once; the others within SETTINGS_CHECK_SECONDS.
        current_app.config["SITE_NAME"] = form.site_name.data
        flash(
            _(
                "%(username)s is the administrator of this forum. Log in to go on.",
                username=user.username,
            ),
            "success",
        )
        return redirect(url_for("auth.login"), 303)

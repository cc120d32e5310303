"""The passkeys on the security page: adding one (a ceremony driven by
``static/js/passkeys.js``), renaming, removing.

Adding and removing change the account's credentials, so they need a fresh password
confirmation; renaming changes only a label.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _

from forumapp.account.security.services import SecurityReport
from forumapp.account.security.views import member, security_page
from forumapp.auth.decorators import fresh_login_required, login_required
from forumapp.auth.devices import request_client
from forumapp.auth.passkeys.forms import AddPasskeyForm, PasskeyNameForm
from forumapp.auth.passkeys.service import PasskeyError, PasskeyService
from forumapp.auth.passkeys.views import json_options
from forumapp.auth.second_factor.forms import ConfirmForm

PasskeyFactory = Callable[[], PasskeyService]


class PasskeyOptions(MethodView):
    """``POST``: the options (JSON) for the browser to create a passkey."""

    decorators = [fresh_login_required]
    init_every_request = False

    def __init__(self, passkey_factory: PasskeyFactory) -> None:
        self.passkey_factory = passkey_factory

    def post(self) -> ResponseReturnValue:
        return json_options(self.passkey_factory().registration_options(member()))


class AddPasskey(MethodView):
    """``POST``: store the passkey the browser created, under the name the member gave."""

    decorators = [fresh_login_required]
    init_every_request = False

    def __init__(
        self, passkey_factory: PasskeyFactory, security_report_factory: Callable[[], SecurityReport]
    ) -> None:
        self.passkey_factory = passkey_factory
        self.security_report_factory = security_report_factory

    def post(self) -> ResponseReturnValue:
        form = AddPasskeyForm()
        if form.validate_on_submit():
            try:
                self.passkey_factory().register(member(), form.name.data, form.answer.data)
            except PasskeyError as exc:
                form.form_errors.append(exc.reason)
            else:
                flash(_("Passkey “%(name)s” added.", name=form.name.data), "success")
                return redirect(url_for(".security"))
        return security_page(self.security_report_factory, passkey_form=form), 400


class RenamePasskey(MethodView):
    """Give a passkey another name."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, passkey_factory: PasskeyFactory) -> None:
        self.passkey_factory = passkey_factory

    def get(self, passkey_id: int) -> ResponseReturnValue:
        passkey = self.passkey_factory().passkey(member(), passkey_id)
        form = PasskeyNameForm(formdata=None, name=passkey.name)
        return render_template("account/rename_passkey.html", passkey=passkey, form=form)

    def post(self, passkey_id: int) -> ResponseReturnValue:
        service = self.passkey_factory()
        form = PasskeyNameForm()
        if not form.validate_on_submit():
            passkey = service.passkey(member(), passkey_id)
            return render_template("account/rename_passkey.html", passkey=passkey, form=form)
        service.rename(member(), passkey_id, form.name.data)
        flash(_("Passkey renamed to “%(name)s”.", name=form.name.data), "success")
        return redirect(url_for(".security"))


class RemovePasskey(MethodView):
    """Remove a passkey: GET shows the button, POST removes it."""

    decorators = [fresh_login_required]
    init_every_request = False

    def __init__(self, passkey_factory: PasskeyFactory) -> None:
        self.passkey_factory = passkey_factory

    def get(self, passkey_id: int) -> ResponseReturnValue:
        passkey = self.passkey_factory().passkey(member(), passkey_id)
        return render_template("account/remove_passkey.html", passkey=passkey, form=ConfirmForm())

    def post(self, passkey_id: int) -> ResponseReturnValue:
        service = self.passkey_factory()
        form = ConfirmForm()
        if not form.validate_on_submit():
            passkey = service.passkey(member(), passkey_id)
            page = render_template("account/remove_passkey.html", passkey=passkey, form=form)
            return page, 400
        service.remove(member(), passkey_id, client=request_client())
        flash(_("The passkey is removed: it no longer logs in to your account."), "success")
        return redirect(url_for(".security"))

"""The security pages: overview, authenticator enrolment, recovery codes, turning off.

Every page that changes the second factor needs a fresh password confirmation (which,
once the factor is on, asks for a code too). The changes are POSTs; their GET shows the
button, so that the way back from the password confirmation lands on a page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.account.security.services import SecurityReport
from forumapp.auth.decorators import fresh_login_required, login_required
from forumapp.auth.devices import request_client
from forumapp.auth.passkeys.forms import AddPasskeyForm
from forumapp.auth.ports import AuthUser
from forumapp.auth.second_factor.forms import ConfirmEnrolmentForm, ConfirmForm
from forumapp.auth.second_factor.service import TwoFactorError, TwoFactorService

TwoFactorFactory = Callable[[], TwoFactorService]


def member() -> AuthUser:
    """The logged-in member: the services take the account itself, not Flask-Login's proxy."""
    return cast(AuthUser, current_user._get_current_object())


def security_page(
    security_report_factory: Callable[[], SecurityReport],
    passkey_form: AddPasskeyForm | None = None,
) -> str:
    """The security page, with the passkey form as submitted (its errors) or empty."""
    overview = security_report_factory().overview(member())
    return render_template(
        "account/security.html",
        overview=overview,
        form=ConfirmForm(),
        passkey_form=passkey_form or AddPasskeyForm(formdata=None),
    )


def _refused(exc: TwoFactorError) -> ResponseReturnValue:
    flash(exc.reason, "info")
    return redirect(url_for(".security"))


class Security(MethodView):
    """The member's second factor and recent login attempts."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, security_report_factory: Callable[[], SecurityReport]) -> None:
        self.security_report_factory = security_report_factory

    def get(self) -> ResponseReturnValue:
        return security_page(self.security_report_factory)


class EnrolAuthenticator(MethodView):
    """Add an authenticator app: scan the QR code (or type the secret), then confirm with
    a code; the answer shows the recovery codes, once."""

    decorators = [fresh_login_required]
    init_every_request = False

    def __init__(self, two_factor_factory: TwoFactorFactory) -> None:
        self.two_factor_factory = two_factor_factory

    def get(self) -> ResponseReturnValue:
        try:
            enrolment = self.two_factor_factory().start_enrolment(member())
        except TwoFactorError as exc:
            return _refused(exc)
        form = ConfirmEnrolmentForm(formdata=None, enrolment=enrolment.sealed)
        return render_template("account/enrol_authenticator.html", enrolment=enrolment, form=form)

    def post(self) -> ResponseReturnValue:
        service = self.two_factor_factory()
        form = ConfirmEnrolmentForm()
        if form.validate_on_submit():
            try:
                codes = service.confirm_enrolment(
                    member(),
                    form.enrolment.data,
                    form.code.data,
                    client=request_client(),
                )
            except TwoFactorError as exc:
                form.code.errors.append(exc.reason)
            else:
                flash(_("Two-factor login is on."), "success")
                return render_template("account/recovery_codes.html", codes=codes)
        # The same secret again: the app has already scanned it.
        try:
            enrolment = service.reopen_enrolment(member(), form.enrolment.data or "")
        except TwoFactorError as exc:
            return _refused(exc)
        return render_template("account/enrol_authenticator.html", enrolment=enrolment, form=form)


class _TwoFactorChange(MethodView):
    """A change of the second factor behind a button: GET shows it, POST makes it."""

    decorators = [fresh_login_required]
    init_every_request = False
    #: The page with the button.
    template: str

    def __init__(self, two_factor_factory: TwoFactorFactory) -> None:
        self.two_factor_factory = two_factor_factory

    def get(self) -> ResponseReturnValue:
        return render_template(self.template, form=ConfirmForm())

    def post(self) -> ResponseReturnValue:
        form = ConfirmForm()
        if not form.validate_on_submit():
            return render_template(self.template, form=form), 400
        try:
            return self.change(self.two_factor_factory())
        except TwoFactorError as exc:
            return _refused(exc)

    def change(self, service: TwoFactorService) -> ResponseReturnValue:
        """Make the change for the current member; the answer to the POST."""
        raise NotImplementedError


class RecoveryCodes(_TwoFactorChange):
    """Replace the recovery codes with ten new ones, shown once."""

    template = "account/new_recovery_codes.html"

    def change(self, service: TwoFactorService) -> ResponseReturnValue:
        codes = service.regenerate_recovery_codes(member())
        flash(_("Your earlier recovery codes no longer work."), "success")
        return render_template("account/recovery_codes.html", codes=codes)


class DisableTwoFactor(_TwoFactorChange):
    """Turn two-factor login off; the owner gets an email about it."""

    template = "account/disable_two_factor.html"

    def change(self, service: TwoFactorService) -> ResponseReturnValue:
        if service.disable(member(), client=request_client()):
            flash(
                _("The authenticator app is off: your passkeys still guard your login."), "success"
            )
        else:
            flash(_("Two-factor login is off: your password alone logs you in now."), "success")
        return redirect(url_for(".security"))

"""The password, email address and sessions pages.

Each view is a ``MethodView`` whose service factory arrives through ``as_view(...)``;
login checks and rate limits are class-level ``decorators`` (the first is innermost).
Domain errors of the services become answers here, except :class:`NotFound`, which the
blueprint answers with a 404 in one place.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from forumapp.account.credentials.email_change import EmailChanger
from forumapp.account.credentials.forms import ChangeEmailForm, ChangePasswordForm, ConfirmForm
from forumapp.account.credentials.password_change import PasswordChanger
from forumapp.account.credentials.sessions import SessionManager
from forumapp.account.limits import email_change_per_member
from forumapp.auth import limits
from forumapp.auth.decorators import fresh_login_required, login_required
from forumapp.auth.exceptions import StopValidation, TokenError
from forumapp.auth.ports import ClientInfo
from forumapp.auth.urls import auth_url


def _client() -> ClientInfo:
    return ClientInfo(request.remote_addr or "", request.user_agent.string)


def _remembered() -> bool:
    # A browser that kept its login across restarts keeps doing so with its new session.
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _link_page(template: str, status: int = 200, **context: object) -> ResponseReturnValue:
    # The token is in the URL: it must not travel on in a Referer header.
    response = make_response(render_template(template, **context), status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _token_problem(exc: TokenError) -> ResponseReturnValue:
    return _link_page(
        "auth/token_invalid.html", 400, reason=exc.reason, retry_url=url_for(".email")
    )


class ChangePassword(MethodView):
    """Change the password, knowing the current one; every other device is logged out."""

    # The account budget sits inside the login check: it counts logged-in accounts only.
    decorators = [limits.reauth_per_account, fresh_login_required, limits.reauth_per_client]
    init_every_request = False

    def __init__(self, password_changer_factory: Callable[[], PasswordChanger]) -> None:
        self.password_changer_factory = password_changer_factory

    def get(self) -> ResponseReturnValue:
        return render_template("account/password.html", form=ChangePasswordForm())

    def post(self) -> ResponseReturnValue:
        form = ChangePasswordForm()
        if not form.validate_on_submit():
            return render_template("account/password.html", form=form)
        user = current_user._get_current_object()
        remember = _remembered()
        try:
            token = self.password_changer_factory().change(
                user,
                form.current_password.data,
                form.password.data,
                client=_client(),
                remember=remember,
            )
        except StopValidation as exc:
            form.add_errors((reason.attribute, reason.reason) for reason in exc.reasons)
            return render_template("account/password.html", form=form)
        # This browser carries on in the new session; its old cookies name an ended one.
        user.attach_session(token)
        login_user(user, remember=remember, fresh=True)
        flash(
            _(
                "Your password is changed. Every other device is logged out and your API "
                "tokens are revoked."
            ),
            "success",
        )
        return redirect(url_for(".password"))


class ChangeEmail(MethodView):
    """Ask to change the email address; the new address confirms it."""

    decorators = [email_change_per_member, fresh_login_required]
    init_every_request = False

    def __init__(self, email_changer_factory: Callable[[], EmailChanger]) -> None:
        self.email_changer_factory = email_changer_factory

    def get(self) -> ResponseReturnValue:
        return render_template("account/email.html", form=ChangeEmailForm())

    def post(self) -> ResponseReturnValue:
        form = ChangeEmailForm()
        if not form.validate_on_submit():
            return render_template("account/email.html", form=form)
        try:
            self.email_changer_factory().request_change(
                current_user._get_current_object(), form.email.data, _client()
            )
        except StopValidation as exc:
            form.add_errors((reason.attribute, reason.reason) for reason in exc.reasons)
            return render_template("account/email.html", form=form)
        # The same words whether or not another account has the address.
        flash(
            _(
                "We have sent a link to %(email)s. Your address changes when you follow it; "
                "until then it stays as it is.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for(".email"))


class _EmailChangeLink(MethodView):
    """A link from an email about a change of address: GET shows what its button does (a
    mail scanner that follows links changes nothing), POST does it."""

    init_every_request = False
    #: The page with the button.
    template: str

    def __init__(self, email_changer_factory: Callable[[], EmailChanger]) -> None:
        self.email_changer_factory = email_changer_factory

    def get(self, token: str) -> ResponseReturnValue:
        try:
            new_email = self.check(self.email_changer_factory(), token)
        except TokenError as exc:
            return _token_problem(exc)
        return _link_page(self.template, form=ConfirmForm(), new_email=new_email)

    def post(self, token: str) -> ResponseReturnValue:
        form = ConfirmForm()
        service = self.email_changer_factory()
        try:
            if not form.validate_on_submit():
                new_email = self.check(service, token)
                return _link_page(self.template, 400, form=form, new_email=new_email)
            return self.act(service, token)
        except TokenError as exc:
            return _token_problem(exc)

    def check(self, service: EmailChanger, token: str) -> str:
        """The new address the link is about; :class:`TokenError` when it is not usable."""
        raise NotImplementedError

    def act(self, service: EmailChanger, token: str) -> ResponseReturnValue:
        """Use the link, and answer."""
        raise NotImplementedError


class ConfirmEmail(_EmailChangeLink):
    """The link sent to the new address: its button makes the change."""

    template = "account/confirm_email.html"

    def check(self, service: EmailChanger, token: str) -> str:
        return service.check_confirmation(token)

    def act(self, service: EmailChanger, token: str) -> ResponseReturnValue:
        service.confirm(token, _client())
        flash(_("Your email address is changed."), "success")
        if current_user.is_authenticated:
            return redirect(url_for(".email"))
        return redirect(auth_url("login"))


class CancelEmailChange(_EmailChangeLink):
    """The link sent to the old address: its button cancels the change and logs out every
    device of the account."""

    template = "account/cancel_email.html"

    def check(self, service: EmailChanger, token: str) -> str:
        return service.check_cancellation(token)

    def act(self, service: EmailChanger, token: str) -> ResponseReturnValue:
        user = service.cancel(token)
        if current_user.is_authenticated and current_user.id == user.id:
            logout_user()
            session.clear()
        flash(
            _(
                "The change is cancelled and every device is logged out. If you did not ask "
                "for it, choose a new password now: someone knows your current one."
            ),
            "success",
        )
        return redirect(auth_url("forgot_password"))


class Sessions(MethodView):
    """Every browser logged in to the account, this one marked."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, session_manager_factory: Callable[[], SessionManager]) -> None:
        self.session_manager_factory = session_manager_factory

    def get(self) -> ResponseReturnValue:
        devices = self.session_manager_factory().sessions_of(current_user.id, current_user.get_id())
        return render_template("account/sessions.html", devices=devices, form=ConfirmForm())


class EndSession(MethodView):
    """Log one of the member's browsers out; 404 for anyone else's session."""

    # Ending a session only takes power away: a stale login may do it.
    decorators = [login_required]
    methods = ["POST"]
    init_every_request = False

    def __init__(self, session_manager_factory: Callable[[], SessionManager]) -> None:
        self.session_manager_factory = session_manager_factory

    def post(self, session_id: int) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        self.session_manager_factory().end(current_user.id, session_id)
        flash(_("That device is logged out."), "success")
        return redirect(url_for(".sessions"))


class EndOtherSessions(MethodView):
    """Log out every browser of the member but this one."""

    decorators = [login_required]
    methods = ["POST"]
    init_every_request = False

    def __init__(self, session_manager_factory: Callable[[], SessionManager]) -> None:
        self.session_manager_factory = session_manager_factory

    def post(self) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        ended = self.session_manager_factory().end_others(current_user.id, current_user.get_id())
        flash(
            ngettext(
                "%(num)s other device logged out.", "%(num)s other devices logged out.", ended
            ),
            "success",
        )
        return redirect(url_for(".sessions"))

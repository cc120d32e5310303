"""Passkeys at login: the second step's options and answer (both belong to the pending
login the browser's session names, like a typed code), and a sign-in with a passkey alone."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forumapp.auth import limits
from forumapp.auth.decorators import anonymous_required
from forumapp.auth.exceptions import SecondStepExpired, StopAuthentication
from forumapp.auth.forms import LoginForm
from forumapp.auth.passkeys.forms import PasskeyAnswerForm
from forumapp.auth.second_factor.ports import PasskeyProof
from forumapp.auth.services import (
    PASSKEY_NOT_RECOGNISED,
    AuthenticationManager,
    ReauthenticationManager,
)
from forumapp.auth.views import TwoFactor, _client, _logged_in, login_page


def json_options(options: str) -> Response:
    """Ceremony options for ``static/js/passkeys.js``; never cached, as they hold a challenge."""
    response = Response(options, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


class SecondStepPasskeyOptions(TwoFactor):
    """``POST``: the options of a passkey answer to the pending login (JSON)."""

    decorators = [anonymous_required, limits.passkey_options_per_client]
    methods = ["POST"]

    def post(self) -> ResponseReturnValue:
        pending = self._pending()
        if pending is None:
            return {"error": "login expired"}, 409
        try:
            options = self.authentication_manager_factory().passkey_options(pending)
        except SecondStepExpired:
            return {"error": "login expired"}, 409
        return json_options(options)


class SecondStepPasskey(TwoFactor):
    """``POST``: a passkey's answer completes the pending login."""

    methods = ["POST"]

    def post(self) -> ResponseReturnValue:
        pending = self._pending()
        if pending is None:
            return redirect(url_for(".login", next=request.args.get("next")))
        manager = self.authentication_manager_factory()
        form = PasskeyAnswerForm()
        if not form.validate_on_submit():
            flash(_("Your browser gave no passkey answer: try again, or enter a code."), "info")
            return redirect(url_for(".two_factor", next=request.args.get("next")))
        try:
            result = manager.complete_second_step(
                pending, PasskeyProof(form.answer.data), client=_client()
            )
        except SecondStepExpired as exc:
            session.pop(self.SESSION_KEY, None)
            flash(exc.reason, "info")
            return redirect(url_for(".login", next=request.args.get("next")))
        except StopAuthentication as exc:
            flash(exc.reason, "info")
            return redirect(url_for(".two_factor", next=request.args.get("next")))
        return _logged_in(result)


class ReauthPasskeyOptions(MethodView):
    """``POST``: the options (JSON) of a passkey answer that confirms, with the password,
    that the logged-in member is still at the keyboard."""

    decorators = [login_required, limits.passkey_options_per_client]
    init_every_request = False
    methods = ["POST"]

    def __init__(
        self, reauthentication_manager_factory: Callable[[], ReauthenticationManager]
    ) -> None:
        self.reauthentication_manager_factory = reauthentication_manager_factory

    def post(self) -> ResponseReturnValue:
        manager = self.reauthentication_manager_factory()
        try:
            options = manager.passkey_options(current_user._get_current_object())
        except StopAuthentication:
            return {"error": "no passkey"}, 404
        return json_options(options)


class PasskeySignInOptions(MethodView):
    """``POST``: the options (JSON) of a sign-in with a passkey alone."""

    decorators = [anonymous_required, limits.passkey_options_per_client]
    init_every_request = False
    methods = ["POST"]

    def __init__(self, authentication_manager_factory: Callable[[], AuthenticationManager]) -> None:
        self.authentication_manager_factory = authentication_manager_factory

    def post(self) -> ResponseReturnValue:
        try:
            options = self.authentication_manager_factory().passkey_sign_in_options()
        except StopAuthentication:
            return {"error": "passkeys unavailable"}, 404
        return json_options(options)


class PasskeySignIn(MethodView):
    """``POST``: sign in with a passkey's answer alone; rate limited like the password."""

    decorators = [anonymous_required, limits.login_per_client]
    init_every_request = False
    methods = ["POST"]

    def __init__(self, authentication_manager_factory: Callable[[], AuthenticationManager]) -> None:
        self.authentication_manager_factory = authentication_manager_factory

    def post(self) -> ResponseReturnValue:
        manager = self.authentication_manager_factory()
        form = PasskeyAnswerForm()
        try:
            if not form.validate_on_submit():
                raise StopAuthentication(PASSKEY_NOT_RECOGNISED)
            result = manager.login_with_passkey(form.answer.data, client=_client())
        except StopAuthentication as exc:
            login = LoginForm(formdata=None)
            login.form_errors.append(exc.reason)
            return login_page(login, manager)
        return _logged_in(result)

"""The auth views. Each is a ``MethodView`` whose service factory arrives through
``as_view(...)`` and whose access checks and rate limits are class-level ``decorators``
(the first decorator in the list is the innermost)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext

from flask import (
    Response,
    after_this_request,
    copy_current_request_context,
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
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forumapp.auth import limits
from forumapp.auth.decorators import (
    anonymous_required,
    login_required,
    mark_fresh,
    registration_enabled,
    requires_unactivated,
)
from forumapp.auth.devices import read_device_cookie, request_client, trust_device
from forumapp.auth.exceptions import (
    SecondStepExpired,
    StopAuthentication,
    StopValidation,
    TokenError,
)
from forumapp.auth.forms import (
    ActivateAccountForm,
    EmailForm,
    LoginForm,
    LogoutForm,
    ReauthForm,
    RegisterForm,
    ResetPasswordForm,
    registration_form,
)
from forumapp.auth.ports import AuthUser
from forumapp.auth.second_factor.forms import SecondStepForm
from forumapp.auth.second_factor.ports import PendingLogin
from forumapp.auth.services import (
    WRONG_PASSWORD,
    AccountActivator,
    AuthenticationManager,
    LoginResult,
    PasswordResetService,
    ReauthenticationManager,
    Registration,
    RegistrationService,
)
from forumapp.http import home_url, safe_redirect_target
from forumapp.i18n.cookie import offered_language, remember_language

log = logging.getLogger(__name__)


_client = request_client


def _known_accounts() -> tuple[int, ...]:
    """The accounts this browser's device cookie names: logins of others are from a new
    device (see :class:`AuthenticationManager`)."""
    cookie = read_device_cookie()
    return cookie.accounts if cookie is not None else ()


def _next_url() -> str:
    return safe_redirect_target(request.args.get("next"), home_url())


def _after_the_response(work: Callable[[], None]) -> None:
    """Do ``work`` once the response has been sent, in a copy of this request's context.

    The WSGI server closes a response after writing its body, so the client has its answer
    before the work starts, and how long the work takes cannot show. With
    ``MAIL_SEND_ASYNC`` off (tests, debugging) the work is done at once.
    """
    if not current_app.config.get("MAIL_SEND_ASYNC", True):
        work()
        return

    def logged() -> None:
        # Nobody waits for this any more: a failure can only be logged.
        try:
            work()
        except Exception:
            log.exception("Work after the response of %s failed", request.path)

    later = copy_current_request_context(logged)

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(later)
        return response


def _field_errors(form: LoginForm | RegisterForm | ResetPasswordForm, exc: StopValidation) -> None:
    form.add_errors((reason.attribute, reason.reason) for reason in exc.reasons)


class Login(MethodView):
    """Log in with a username or email address and a password."""

    decorators = [anonymous_required, limits.login_per_account, limits.login_per_client]
    init_every_request = False

    def __init__(self, authentication_manager_factory: Callable[[], AuthenticationManager]) -> None:
        self.authentication_manager_factory = authentication_manager_factory

    def get(self) -> ResponseReturnValue:
        return self._render(LoginForm())

    def post(self) -> ResponseReturnValue:
        form = LoginForm()
        if not form.validate_on_submit():
            return self._render(form)
        try:
            result = self.authentication_manager_factory().login(
                form.login.data,
                form.password.data,
                remember=form.remember_me.data,
                client=_client(),
                known_accounts=_known_accounts(),
            )
        except StopAuthentication as exc:
            form.form_errors.append(exc.reason)
            return self._render(form)
        if isinstance(result, PendingLogin):
            # No session yet: the browser holds only the name of the pending login.
            session.clear()
            session[TwoFactor.SESSION_KEY] = {"token": result.token, "account": result.user_id}
            return redirect(url_for(".two_factor", next=request.args.get("next")))
        return _logged_in(result)

    def _render(self, form: LoginForm) -> ResponseReturnValue:
        return login_page(form, self.authentication_manager_factory())


def login_page(form: LoginForm, manager: AuthenticationManager) -> str:
    """The login page, with a sign-in by passkey where the services offer one."""
    passkeys = manager.offers_passkey_sign_in()
    return render_template("auth/login.html", form=form, passkeys=passkeys)


class Logout(MethodView):
    """Log out: a POST with a CSRF token; GET shows a button for it."""

    decorators = [limits.exempt]
    init_every_request = False

    def __init__(self, authentication_manager_factory: Callable[[], AuthenticationManager]) -> None:
        self.authentication_manager_factory = authentication_manager_factory

    def get(self) -> ResponseReturnValue:
        if not current_user.is_authenticated:
            return redirect(home_url())
        return render_template("auth/logout.html", form=LogoutForm())

    def post(self) -> ResponseReturnValue:
        form = LogoutForm()
        if not form.validate_on_submit():
            return render_template("auth/logout.html", form=form), 400
        if current_user.is_authenticated:
            self.authentication_manager_factory().logout(current_user.get_id())
            logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
        return redirect(home_url())


class Reauth(MethodView):
    """Confirm the password before a sensitive page; the login stays fresh for a while."""

    # The account budget sits inside login_required: it counts logged-in accounts only.
    decorators = [limits.reauth_per_account, login_required, limits.reauth_per_client]
    init_every_request = False

    def __init__(
        self, reauthentication_manager_factory: Callable[[], ReauthenticationManager]
    ) -> None:
        self.reauthentication_manager_factory = reauthentication_manager_factory

    def get(self) -> ResponseReturnValue:
        return self._render(self.reauthentication_manager_factory(), ReauthForm())

    def post(self) -> ResponseReturnValue:
        form = ReauthForm()
        manager = self.reauthentication_manager_factory()
        if not form.validate_on_submit():
            return self._render(manager, form)
        user = current_user._get_current_object()
        try:
            manager.reauthenticate(
                user,
                form.password.data,
                form.code.data or "",
                answer=form.answer.data or "",
                client=_client(),
            )
        except StopAuthentication as exc:
            self._refused(manager, form, exc.reason)
            return self._render(manager, form)
        mark_fresh()
        flash(_("Thanks, your password is confirmed."), "success")
        return redirect(_next_url())

    @staticmethod
    def _refused(manager: ReauthenticationManager, form: ReauthForm, reason: str) -> None:
        # The message goes next to what was wrong: the password or the code of the form
        # with fields, or the top of the page for the passkey form (its answer has no field).
        if form.answer.data or (
            reason != WRONG_PASSWORD and not manager.needs_code(current_user._get_current_object())
        ):
            form.form_errors.append(reason)
        elif reason == WRONG_PASSWORD:
            form.password.errors.append(reason)
        else:
            form.code.errors.append(reason)

    @staticmethod
    def _render(manager: ReauthenticationManager, form: ReauthForm) -> ResponseReturnValue:
        user = current_user._get_current_object()
        return render_template(
            "auth/reauth.html",
            form=form,
            needs_code=manager.needs_code(user),
            passkey=manager.offers_passkey(user),
        )


class Register(MethodView):
    """Create an account; the answer is the same whether the email is known or not."""

    decorators = [anonymous_required, registration_enabled, limits.register_per_client]
    init_every_request = False

    def __init__(self, registration_service_factory: Callable[[], RegistrationService]) -> None:
        self.registration_service_factory = registration_service_factory

    def get(self) -> ResponseReturnValue:
        return render_template("auth/register.html", form=registration_form())

    def post(self) -> ResponseReturnValue:
        form = registration_form()
        if not form.validate_on_submit():
            return render_template("auth/register.html", form=form)
        registration = Registration(
            username=form.username.data,
            email=form.email.data,
            password=form.password.data,
            language=form.language.data,
        )
        try:
            self.registration_service_factory().register(registration)
        except StopValidation as exc:
            _field_errors(form, exc)
            return render_template("auth/register.html", form=form)
        flash(
            _(
                "Thanks for registering! We have sent an email to %(email)s with the next step.",
                email=registration.email,
            ),
            "success",
        )
        return redirect(url_for(".login"))


class ForgotPassword(MethodView):
    """Ask for a password reset link; the answer never tells whether the address is known."""

    decorators = [anonymous_required, limits.forgot_password_per_client]
    init_every_request = False

    def __init__(self, password_reset_service_factory: Callable[[], PasswordResetService]) -> None:
        self.password_reset_service_factory = password_reset_service_factory

    def get(self) -> ResponseReturnValue:
        return render_template("auth/forgot_password.html", form=EmailForm())

    def post(self) -> ResponseReturnValue:
        form = EmailForm()
        if not form.validate_on_submit():
            return render_template("auth/forgot_password.html", form=form)
        email, service = form.email.data, self.password_reset_service_factory
        # Only known addresses are emailed: looking the address up, and the email, wait
        # until the answer is sent, so its timing cannot tell which addresses have accounts.
        _after_the_response(lambda: service().request_reset(email))
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to choose a new "
                "password. Check your inbox.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for(".login"))


class ResetPassword(MethodView):
    """Set a new password from an emailed link.

    The token moves from the URL into the session and the browser is redirected, so the
    token cannot leak to other sites through the Referer header or shared screenshots.
    """

    init_every_request = False
    #: Stands in the URL for the token once the token is kept in the session.
    URL_MARKER = "set-password"
    SESSION_KEY = "_reset_password_token"

    def __init__(self, password_reset_service_factory: Callable[[], PasswordResetService]) -> None:
        self.password_reset_service_factory = password_reset_service_factory

    def get(self, token: str) -> ResponseReturnValue:
        service = self.password_reset_service_factory()
        try:
            if token != self.URL_MARKER:
                service.check_token(token)
                session[self.SESSION_KEY] = token
                return redirect(url_for(".reset_password", token=self.URL_MARKER))
            service.check_token(self._session_token())
        except TokenError as exc:
            return _token_problem(exc, ".forgot_password")
        return _private(render_template("auth/reset_password.html", form=ResetPasswordForm()))

    def post(self, token: str) -> ResponseReturnValue:
        form = ResetPasswordForm()
        if not form.validate_on_submit():
            return _private(render_template("auth/reset_password.html", form=form))
        real_token = self._session_token() if token == self.URL_MARKER else token
        try:
            user = self.password_reset_service_factory().reset_password(
                real_token, form.password.data, client=_client()
            )
        except TokenError as exc:
            return _token_problem(exc, ".forgot_password")
        except StopValidation as exc:
            _field_errors(form, exc)
            return _private(render_template("auth/reset_password.html", form=form))
        # Every session of the account has ended; this browser's too.
        logout_user()
        session.clear()
        flash(_("Your password has been changed. You can log in with it now."), "success")
        response = redirect(url_for(".login"))
        # The link reached the account's inbox: this browser is the owner's, and logs in
        # even while others keep the account's budget of failed logins spent.
        trust_device(response, user.id)
        return response

    def _session_token(self) -> str:
        token = session.get(self.SESSION_KEY)
        if not isinstance(token, str):
            raise TokenError(_("This page needs the link from your password reset email."))
        return token


class RequestActivationToken(MethodView):
    """Send a new activation link; the answer never tells whether the address is known."""

    decorators = [requires_unactivated, limits.activation_per_client]
    init_every_request = False

    def __init__(self, account_activator_factory: Callable[[], AccountActivator]) -> None:
        self.account_activator_factory = account_activator_factory

    def get(self) -> ResponseReturnValue:
        return render_template("auth/request_activation.html", form=EmailForm())

    def post(self) -> ResponseReturnValue:
        form = EmailForm()
        if not form.validate_on_submit():
            return render_template("auth/request_activation.html", form=form)
        email, activator = form.email.data, self.account_activator_factory
        # As for a reset link: nothing that depends on the address happens before the answer.
        _after_the_response(lambda: activator().request_activation(email))
        flash(
            _(
                "If an account with %(email)s is waiting for activation, we have sent it a "
                "new link. Check your inbox.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for(".login"))


class ActivateAccount(MethodView):
    """Activate by pasting the code from the activation email."""

    decorators = [requires_unactivated]
    init_every_request = False

    def __init__(self, account_activator_factory: Callable[[], AccountActivator]) -> None:
        self.account_activator_factory = account_activator_factory

    def get(self) -> ResponseReturnValue:
        return render_template("auth/activate.html", form=ActivateAccountForm())

    def post(self) -> ResponseReturnValue:
        form = ActivateAccountForm()
        if not form.validate_on_submit():
            return render_template("auth/activate.html", form=form)
        try:
            user = self.account_activator_factory().activate(form.token.data)
        except TokenError as exc:
            form.token.errors.append(exc.reason)
            return render_template("auth/activate.html", form=form)
        return _activated(user)


class AutoActivateAccount(MethodView):
    """Activate straight from the link in the activation email."""

    decorators = [requires_unactivated]
    init_every_request = False

    def __init__(self, account_activator_factory: Callable[[], AccountActivator]) -> None:
        self.account_activator_factory = account_activator_factory

    def get(self, token: str) -> ResponseReturnValue:
        try:
            user = self.account_activator_factory().activate(token)
        except TokenError as exc:
            return _token_problem(exc, ".request_activation_token")
        return _activated(user)


class TwoFactor(MethodView):
    """The second step of a login, for accounts with a second factor: a code from the
    authenticator app, or a recovery code.

    The browser holds the pending login's name in its session; the login itself waits
    server-side for five minutes, completes once, and ends after a few wrong codes.
    """

    decorators = [
        anonymous_required,
        limits.second_step_per_account,
        limits.second_step_per_client,
    ]
    init_every_request = False
    #: The session key of the pending login (also read by the per-account budget).
    SESSION_KEY = limits.PENDING_LOGIN_KEY

    def __init__(self, authentication_manager_factory: Callable[[], AuthenticationManager]) -> None:
        self.authentication_manager_factory = authentication_manager_factory

    def get(self) -> ResponseReturnValue:
        pending = self._pending()
        if pending is None:
            return redirect(url_for(".login", next=request.args.get("next")))
        return self._render(pending, SecondStepForm())

    def post(self) -> ResponseReturnValue:
        pending = self._pending()
        if pending is None:
            return redirect(url_for(".login", next=request.args.get("next")))
        form = SecondStepForm()
        if not form.validate_on_submit():
            return self._render(pending, form)
        try:
            result = self.authentication_manager_factory().complete_second_step(
                pending, form.code.data, client=_client(), known_accounts=_known_accounts()
            )
        except SecondStepExpired as exc:
            session.pop(self.SESSION_KEY, None)
            flash(exc.reason, "info")
            return redirect(url_for(".login", next=request.args.get("next")))
        except StopAuthentication as exc:
            form.code.errors.append(exc.reason)
            return self._render(pending, form)
        return _logged_in(result)

    def _render(self, pending: str, form: SecondStepForm) -> ResponseReturnValue:
        # A member with a passkey may answer with it instead of a code.
        passkey = self.authentication_manager_factory().offers_passkey(pending)
        return render_template("auth/two_factor.html", form=form, passkey=passkey)

    def _pending(self) -> str | None:
        state = session.get(self.SESSION_KEY)
        token = state.get("token") if isinstance(state, dict) else None
        return token if isinstance(token, str) else None


def _logged_in(result: LoginResult) -> ResponseReturnValue:
    # A new login starts from an empty session: nothing from before survives it.
    session.clear()
    result.user.attach_session(result.session_token)
    login_user(result.user, remember=result.remember, fresh=True)
    mark_fresh()
    flash(_("Welcome back, %(username)s!", username=result.user.username), "success")
    response = redirect(_next_url())
    trust_device(response, result.user.id)
    return response


def login_refused(error: limits.LoginRefused) -> ResponseReturnValue:
    """The answer to a login over its budget: when to try again, and how the owner gets in
    meanwhile. It is the same for every account name, known or not."""
    retry_after = getattr(error, "retry_after", None)
    seconds = retry_after if isinstance(retry_after, int) else 60
    page = render_template(
        "auth/login_refused.html",
        minutes=max(1, -(-seconds // 60)),
        reset_url=url_for(".forgot_password"),
    )
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return page, 429, headers


def _activated(user: AuthUser) -> ResponseReturnValue:
    # The link may open in a browser that never chose a language: from here on it speaks
    # the language the account was registered in.
    language = offered_language(user.language)
    with force_locale(language) if language else nullcontext():
        flash(_("Your account is activated. You can log in now."), "success")
    response = redirect(url_for(".login"))
    return remember_language(response, language) if language else response


def _token_problem(exc: TokenError, retry_endpoint: str) -> ResponseReturnValue:
    page = render_template(
        "auth/token_invalid.html", reason=exc.reason, retry_url=url_for(retry_endpoint)
    )
    return _private(page), 400


def _private(body: str) -> Response:
    response = make_response(body)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

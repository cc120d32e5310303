"""The auth forms; field names are part of the public contract (see DESIGN.md)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

from forumapp.auth.passkeys.ceremony import MAX_ANSWER_LENGTH
from forumapp.auth.second_factor.forms import code_field
from forumapp.forms import EmailAddress, ForumForm, strip_filter
from forumapp.i18n import page_locale
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.users.models import EMAIL_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_PATTERN

#: Long enough for any passphrase; short enough that hashing stays cheap.
PASSWORD_INPUT_MAX = 4096


def _password_field(label: str, autocomplete: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(_l("Enter your password.")), Length(max=PASSWORD_INPUT_MAX)],
        render_kw={"autocomplete": autocomplete},
    )


def _confirm_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Repeat your password.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _email_field() -> StringField:
    return StringField(
        _l("Email address"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX_LENGTH),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "type": "email"},
    )


class LoginForm(ForumForm):
    """Log in with a username or email address."""

    login = StringField(
        _l("Username or email address"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Enter your username or email address.")),
            Length(max=EMAIL_MAX_LENGTH),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = _password_field(_l("Password"), "current-password")
    remember_me = BooleanField(_l("Keep me logged in on this device"))


class ReauthForm(ForumForm):
    """Confirm the password of the logged-in account (and its second factor, if on)."""

    password = _password_field(_l("Password"), "current-password")
    #: Shown and checked only where the account has an authenticator app.
    code = code_field(required=False)
    #: A passkey's answer, filled in by ``static/js/passkeys.js`` where the account has one.
    answer = HiddenField(validators=[Optional(), Length(max=MAX_ANSWER_LENGTH)])


class LogoutForm(ForumForm):
    """Carries only the CSRF token: logging out changes state, so it is a POST."""


class NewAccountForm(ForumForm):
    """The fields of a new account: username, email address and a password typed twice.
    The registration form and the first-run setup page build on it."""

    username = StringField(
        _l("Username"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Choose a username.")),
            Length(min=3, max=USERNAME_MAX_LENGTH, message=_l("Use 3 to %(max)d characters.")),
            Regexp(
                USERNAME_PATTERN,
                message=_l("Use letters, digits, and . _ - (starting with a letter or digit)."),
            ),
        ],
        render_kw={"autocomplete": "username"},
    )
    email = _email_field()
    password = _password_field(_l("Password"), "new-password")
    confirm_password = _confirm_password_field(_l("Repeat password"))


#: ``app.extensions`` key of a function returning fields the app adds to the registration
#: form (its plugins'), as names to unbound WTForms fields.
REGISTRATION_FIELDS = "forumapp.registration_fields"


class RegisterForm(NewAccountForm):
    """Create an account."""

    #: Names of the fields :func:`registration_form` added, in the order they are shown.
    extra_field_names: tuple[str, ...] = ()

    language = SelectField(_l("Language"))
    accept_tos = BooleanField(
        _l("I accept the terms of service"),
        validators=[DataRequired(_l("You need to accept the terms of service to register."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = [
            SelectChoice(code, name) for code, name in current_app.config["LANGUAGES"].items()
        ]
        if self.language.data is None:
            # The language the page is in: what the visitor's browser or menu chose.
            self.language.data = page_locale(current_app.config["DEFAULT_LANGUAGE"])

    @property
    def extra_fields(self) -> list[Field]:
        """The added fields, bound to this form."""
        return [self[name] for name in self.extra_field_names]


def registration_form() -> RegisterForm:
    """The registration form with the fields the app adds after the built-in ones; their
    validators run with the form's own."""
    provider = current_app.extensions.get(REGISTRATION_FIELDS)
    added: dict[str, UnboundField] = provider() if provider is not None else {}
    fields = {name: field for name, field in added.items() if not hasattr(RegisterForm, name)}
    if not fields:
        return RegisterForm()
    extended: type[RegisterForm] = type(
        "ExtendedRegisterForm", (RegisterForm,), {**fields, "extra_field_names": tuple(fields)}
    )
    return extended()


class EmailForm(ForumForm):
    """Ask for an email address (forgotten password, new activation link)."""

    email = _email_field()


class ResetPasswordForm(ForumForm):
    """Choose a new password."""

    password = _password_field(_l("New password"), "new-password")
    confirm_password = _confirm_password_field(_l("Repeat new password"))


class ActivateAccountForm(ForumForm):
    """Paste the activation token from the email."""

    token = StringField(
        _l("Activation code"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Paste the code from the activation email.")),
            Length(max=512),
        ],
        render_kw={"autocomplete": "off"},
    )


__all__ = [
    "ActivateAccountForm",
    "EmailForm",
    "LoginForm",
    "LogoutForm",
    "ReauthForm",
    "RegisterForm",
    "ResetPasswordForm",
]

"""The forms of the password, email address and sessions pages."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from forumapp.auth.forms import PASSWORD_INPUT_MAX, ResetPasswordForm
from forumapp.forms import EmailAddress, ForumForm, strip_filter
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.users.models import EMAIL_MAX_LENGTH


class ChangePasswordForm(ResetPasswordForm):
    """The current password, and the new one twice (the fields of the reset form)."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[
            InputRequired(_l("Enter your current password.")),
            Length(max=PASSWORD_INPUT_MAX),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ChangeEmailForm(ForumForm):
    """The new email address."""

    email = StringField(
        _l("New email address"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Enter the new email address.")),
            Length(max=EMAIL_MAX_LENGTH),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "type": "email"},
    )


class ConfirmForm(ForumForm):
    """A button that changes state: only the CSRF token."""

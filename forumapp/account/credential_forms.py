"""The forms of the password, email address and sessions pages."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from forumapp.auth.forms import PASSWORD_INPUT_MAX
from forumapp.forms import EmailAddress, ForumForm, strip_filter
from forumapp.users.models import EMAIL_MAX_LENGTH


class ChangePasswordForm(ForumForm):
    """The current password, and the new one twice."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=PASSWORD_INPUT_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        "New password",
        validators=[InputRequired("Choose a new password."), Length(max=PASSWORD_INPUT_MAX)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Repeat new password",
        validators=[
            InputRequired("Repeat your new password."),
            EqualTo("password", "The passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangeEmailForm(ForumForm):
    """The new email address."""

    email = StringField(
        "New email address",
        filters=[strip_filter],
        validators=[
            InputRequired("Enter the new email address."),
            Length(max=EMAIL_MAX_LENGTH),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "type": "email"},
    )


class ConfirmForm(ForumForm):
    """A button that changes state: only the CSRF token."""

"""The forms of the second step and of the two-factor settings."""

from __future__ import annotations

from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length, Optional

from forumapp.forms import ForumForm, strip_filter
from forumapp.lazy_text import lazy_gettext as _l

#: Longer than any code with spaces or dashes in it, short enough to refuse junk early.
CODE_INPUT_MAX = 32
#: A sealed secret (Fernet token of a 32-character secret) is about 140 characters.
SEALED_INPUT_MAX = 512
CODE_HINT = _l("The 6-digit code your authenticator app shows now, or one of your recovery codes.")


def code_field(label: str | None = None, *, required: bool = True) -> StringField:
    """A field for a TOTP or recovery code, which password managers can fill in."""
    presence = InputRequired(_l("Enter the code.")) if required else Optional()
    return StringField(
        label or _l("Authentication code"),
        filters=[strip_filter],
        validators=[presence, Length(max=CODE_INPUT_MAX)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class SecondStepForm(ForumForm):
    """The second step of a login: a code."""

    code = code_field()


class ConfirmEnrolmentForm(ForumForm):
    """Confirm that the authenticator app has the new secret, with a code it made."""

    enrolment = HiddenField(validators=[InputRequired(), Length(max=SEALED_INPUT_MAX)])
    code = code_field(_l("Code from the app"))


class ConfirmForm(ForumForm):
    """Carries only the CSRF token: a button that changes the second factor."""

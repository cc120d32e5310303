"""The forms that carry a passkey's name and a browser's answer to a ceremony."""

from __future__ import annotations

from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from forumapp.auth.passkeys.ceremony import MAX_ANSWER_LENGTH
from forumapp.auth.passkeys.models import NAME_LENGTH
from forumapp.forms import ForumForm, strip_filter
from forumapp.lazy_text import lazy_gettext as _l


def answer_field() -> HiddenField:
    """The browser's answer, which ``static/js/passkeys.js`` fills in before submitting."""
    return HiddenField(
        validators=[
            InputRequired(_l("Your browser gave no answer: try again.")),
            Length(max=MAX_ANSWER_LENGTH),
        ]
    )


class PasskeyNameForm(ForumForm):
    """The name of a passkey."""

    name = StringField(
        _l("Passkey name"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Give the passkey a name.")), Length(max=NAME_LENGTH)],
    )


class AddPasskeyForm(PasskeyNameForm):
    """A new passkey: its name, and the browser's answer to the registration ceremony."""

    answer = answer_field()


class PasskeyAnswerForm(ForumForm):
    """A passkey's answer to the second step of a login."""

    answer = answer_field()

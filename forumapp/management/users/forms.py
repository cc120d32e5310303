"""Management forms."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from forumapp.forms import EmailAddress, ForumForm, strip_filter
from forumapp.users.models import EMAIL_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_PATTERN


class BanForm(ForumForm):
    """Confirm a ban (with an optional end and reason for the audit log) or an unban."""

    until = DateField(
        "Banned until (leave empty for a permanent ban)",
        validators=[Optional()],
        render_kw={"type": "date"},
    )

    reason = TextAreaField(
        "Reason (kept in the audit log)",
        filters=[strip_filter],
        validators=[Optional(), Length(max=1000)],
    )


class EditUserForm(ForumForm):
    """An admin's edit of an account."""

    username = StringField(
        "Username",
        filters=[strip_filter],
        validators=[
            InputRequired("A username is required."),
            Length(min=3, max=USERNAME_MAX_LENGTH),
            Regexp(USERNAME_PATTERN, message="Use letters, digits, and . _ -"),
        ],
    )
    email = StringField(
        "Email address",
        filters=[strip_filter],
        validators=[
            InputRequired("An email address is required."),
            Length(max=EMAIL_MAX_LENGTH),
            EmailAddress(),
        ],
    )
    group_id = SelectField("Group", coerce=int)
    activated = BooleanField("Activated")


class DeleteUserForm(ForumForm):
    """What happens to a deleted member's posts."""

    posts = RadioField(
        "Their posts",
        choices=[
            SelectChoice("keep", 'Keep them, shown as written by "deleted user"'),
            SelectChoice("remove", "Delete them (and the topics they started)"),
        ],
        default="keep",
        validators=[InputRequired("Choose what happens to the posts.")],
    )

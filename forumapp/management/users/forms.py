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
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.users.models import EMAIL_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_PATTERN


class BanForm(ForumForm):
    """Confirm a ban (with an optional end and reason for the audit log) or an unban."""

    until = DateField(
        _l("Banned until (leave empty for a permanent ban)"),
        validators=[Optional()],
        render_kw={"type": "date"},
    )

    reason = TextAreaField(
        _l("Reason (kept in the audit log)"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=1000)],
    )


class EditUserForm(ForumForm):
    """An admin's edit of an account."""

    username = StringField(
        _l("Username"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("A username is required.")),
            Length(min=3, max=USERNAME_MAX_LENGTH),
            Regexp(USERNAME_PATTERN, message=_l("Use letters, digits, and . _ -")),
        ],
    )
    email = StringField(
        _l("Email address"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("An email address is required.")),
            Length(max=EMAIL_MAX_LENGTH),
            EmailAddress(),
        ],
    )
    group_id = SelectField(_l("Group"), coerce=int)
    activated = BooleanField(_l("Activated"))


class DeleteUserForm(ForumForm):
    """What happens to a deleted member's posts."""

    posts = RadioField(
        _l("Their posts"),
        choices=[
            SelectChoice("keep", _l('Keep them, shown as written by "deleted user"')),
            SelectChoice("remove", _l("Delete them (and the topics they started)")),
        ],
        default="keep",
        validators=[InputRequired(_l("Choose what happens to the posts."))],
    )

"""The forms of the API tokens page: a new token's name and scope, and revocation."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from forumapp.api.models import NAME_MAX_LENGTH
from forumapp.api.tokens import NAME_REQUIRED, NAME_TOO_LONG, SCOPE_UNKNOWN, TokenScope
from forumapp.forms import ForumForm, strip_filter
from forumapp.lazy_text import lazy_gettext as _l


class NewTokenForm(ForumForm):
    """Name a new token and choose what it may do (read only unless asked)."""

    name = StringField(
        _l("Name"),
        filters=[strip_filter],
        validators=[
            DataRequired(NAME_REQUIRED),
            Length(max=NAME_MAX_LENGTH, message=NAME_TOO_LONG),
        ],
    )
    scope = RadioField(
        _l("Access"),
        choices=[
            SelectChoice(TokenScope.READ.value, _l("Read: see what your account can see")),
            SelectChoice(TokenScope.WRITE.value, _l("Read and write: also post and edit as you")),
        ],
        default=TokenScope.READ.value,
        validators=[InputRequired(SCOPE_UNKNOWN)],
    )


class RevokeTokenForm(ForumForm):
    """The revoke button: a CSRF token and nothing else."""

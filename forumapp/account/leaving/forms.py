"""The forms of the export and delete pages."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from forumapp.account.leaving.deletion import WRONG_CONFIRMATION
from forumapp.forms import ForumForm, strip_filter
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.users.models import USERNAME_MAX_LENGTH

KEEP_POSTS = "keep"
REMOVE_POSTS = "remove"


class ExportForm(ForumForm):
    """The download button: a CSRF token and nothing else."""


class DeleteAccountForm(ForumForm):
    """The member types their username and says what becomes of their posts."""

    confirmation = StringField(
        _l("Your username"),
        filters=[strip_filter],
        validators=[
            DataRequired(WRONG_CONFIRMATION),
            Length(max=USERNAME_MAX_LENGTH, message=WRONG_CONFIRMATION),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    posts = RadioField(
        _l("Your posts"),
        choices=[
            SelectChoice(KEEP_POSTS, _l("Keep them, shown as written by “deleted user”")),
            SelectChoice(REMOVE_POSTS, _l("Delete them, and the topics I started")),
        ],
        # Left out of the page when the site keeps all posts: keeping is then implied.
        default=KEEP_POSTS,
    )

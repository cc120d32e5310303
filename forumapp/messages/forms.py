"""The messaging forms; field names are part of the public contract (see DESIGN.md)."""

from __future__ import annotations

import re

from wtforms import Field, Form, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from forumapp.forms import ForumForm, strip_filter
from forumapp.forum.forms import PostForm, visible_title
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.messages.models import SUBJECT_MAX_LENGTH
from forumapp.users.models import USERNAME_MAX_LENGTH

#: Longest recipients field: the largest allowed conversation of the longest names.
RECIPIENTS_MAX_LENGTH = 2000
_SEPARATORS = re.compile(r"[,\s]+")


def usernames(text: str) -> list[str]:
    """The usernames in a field that separates them by commas or spaces."""
    return [name for name in _SEPARATORS.split(text) if name]


def some_usernames(_form: Form, field: Field) -> None:
    """Refuse a recipients field that names nobody."""
    if isinstance(field.data, str) and not usernames(field.data):
        raise ValidationError(_l("Name at least one member to write to."))


class MessageForm(PostForm):
    """A reply in a conversation: the post form's Markdown ``content``, with a preview."""

    submit = SubmitField(_l("Send"))


class NewConversationForm(MessageForm):
    """A new conversation: recipients by username, a subject and the first message."""

    recipients = StringField(
        _l("To"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Name at least one member to write to.")),
            Length(max=RECIPIENTS_MAX_LENGTH),
            some_usernames,
        ],
        description=_l("Usernames, separated by commas."),
    )
    subject = StringField(
        _l("Subject"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Give the conversation a subject.")),
            Length(max=SUBJECT_MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
            visible_title,
        ],
    )


class ParticipantForm(ForumForm):
    """A member to bring into a conversation."""

    username = StringField(
        _l("Username"),
        filters=[strip_filter],
        validators=[InputRequired(_l("Name a member.")), Length(max=USERNAME_MAX_LENGTH)],
    )


class MessageReportForm(ForumForm):
    """Why a message should be looked at by a moderator."""

    reason = TextAreaField(
        _l("What is wrong with this message?"),
        filters=[strip_filter],
        validators=[InputRequired(_l("Say what is wrong.")), Length(max=2000)],
    )

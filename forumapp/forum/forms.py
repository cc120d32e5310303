"""The forum forms; field names are part of the public contract (see DESIGN.md)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    Field,
    Form,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from forumapp.forms import ForumForm, strip_filter
from forumapp.forum.ids import ids_only
from forumapp.forum.markdown import shows_nothing
from forumapp.forum.models import TITLE_MAX_LENGTH
from forumapp.forum.moderation import PostAction, TopicAction
from forumapp.text import NOTHING_VISIBLE, is_blank

CONTENT_MAX_LENGTH = 50_000


def visible_title(_form: Form, field: Field) -> None:
    """Refuse a title of whitespace and invisible characters, which would show nothing."""
    if isinstance(field.data, str) and is_blank(field.data):
        raise ValidationError(NOTHING_VISIBLE)


def visible_post(_form: Form, field: Field) -> None:
    """Refuse a message that would show nothing once rendered (see ``shows_nothing``)."""
    if isinstance(field.data, str) and shows_nothing(field.data):
        raise ValidationError(NOTHING_VISIBLE)


def _content_field() -> TextAreaField:
    return TextAreaField(
        "Message",
        validators=[
            InputRequired("Write a message."),
            Length(max=CONTENT_MAX_LENGTH, message="Keep it under %(max)d characters."),
            visible_post,
        ],
        description="Markdown: **bold**, *italic*, [link](https://…), lists, `code`, tables.",
    )


class PostForm(ForumForm):
    """A reply, or the new text of an edited post."""

    content = _content_field()
    preview = SubmitField("Preview")
    submit = SubmitField("Post")


class TopicForm(PostForm):
    """A new topic: a title and its first post."""

    title = StringField(
        "Title",
        filters=[strip_filter],
        validators=[
            InputRequired("Give your topic a title."),
            Length(min=3, max=TITLE_MAX_LENGTH, message="Use 3 to %(max)d characters."),
            visible_title,
        ],
    )


class ReportForm(ForumForm):
    """Why a post should be looked at by a moderator."""

    reason = TextAreaField(
        "What is wrong with this post?",
        filters=[strip_filter],
        validators=[InputRequired("Say what is wrong."), Length(max=2000)],
    )


class ConfirmForm(ForumForm):
    """A confirmation button (CSRF token only)."""


class TopicModerationForm(ForumForm):
    """A moderation action on one or more topics of a forum."""

    action = SelectField(
        "Action", choices=[SelectChoice(a.value, a.value.title()) for a in TopicAction]
    )
    topic_ids = SelectMultipleField(
        "Topics", coerce=int, validate_choice=False, validators=[ids_only]
    )
    target_forum_id = IntegerField("Move to forum", validators=[Optional(), ids_only])
    #: Set by the confirmation page: deleting asks first.
    confirm = BooleanField("Yes, delete")


class PostModerationForm(ForumForm):
    """A moderation action on one post."""

    action = SelectField(
        "Action", choices=[SelectChoice(a.value, a.value.title()) for a in PostAction]
    )


class SearchForm(ForumForm):
    """Full-text search with optional filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Search for", filters=[strip_filter], validators=[Length(max=200)])
    forum = IntegerField("In forum", validators=[Optional()])
    author = StringField("By author", filters=[strip_filter], validators=[Length(max=32)])

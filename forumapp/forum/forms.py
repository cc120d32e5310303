"""The forum forms; field names are part of the public contract (see DESIGN.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    Field,
    Form,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import DateInput

from forumapp.forms import ForumForm, strip_filter
from forumapp.forum.ids import ids_only
from forumapp.forum.markdown import shows_nothing
from forumapp.forum.models import TITLE_MAX_LENGTH
from forumapp.forum.moderation import PostAction, TopicAction
from forumapp.forum.search import UNKNOWN_FORUM, SearchFilters, Sort
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.text import NOTHING_VISIBLE, is_blank

CONTENT_MAX_LENGTH = 50_000
#: The days a search can be narrowed down to.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)


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
        _l("Message"),
        validators=[
            InputRequired(_l("Write a message.")),
            Length(max=CONTENT_MAX_LENGTH, message=_l("Keep it under %(max)d characters.")),
            visible_post,
        ],
        description=_l("Markdown: **bold**, *italic*, [link](https://…), lists, `code`, tables."),
    )


class PostForm(ForumForm):
    """A reply, or the new text of an edited post."""

    content = _content_field()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Post"))


class TopicForm(PostForm):
    """A new topic: a title and its first post."""

    title = StringField(
        _l("Title"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Give your topic a title.")),
            Length(min=3, max=TITLE_MAX_LENGTH, message=_l("Use 3 to %(max)d characters.")),
            visible_title,
        ],
    )


class ReportForm(ForumForm):
    """Why a post should be looked at by a moderator."""

    reason = TextAreaField(
        _l("What is wrong with this post?"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Say what is wrong.")),
            Length(max=2000, message=_l("Keep it under %(max)d characters.")),
        ],
    )


class ConfirmForm(ForumForm):
    """A confirmation button (CSRF token only)."""


class UndoForm(ForumForm):
    """The Undo of a post deletion: the token its offer carries."""

    token = HiddenField(validators=[InputRequired(), Length(max=512)])


class TopicModerationForm(ForumForm):
    """A moderation action on one or more topics of a forum."""

    action = SelectField(
        _l("Action"), choices=[SelectChoice(a.value, a.value.title()) for a in TopicAction]
    )
    topic_ids = SelectMultipleField(
        _l("Topics"), coerce=int, validate_choice=False, validators=[ids_only]
    )
    target_forum_id = IntegerField(_l("Move to forum"), validators=[Optional(), ids_only])
    #: Set by the confirmation page: deleting asks first.
    confirm = BooleanField(_l("Yes, delete"))


class PostModerationForm(ForumForm):
    """A moderation action on one post."""

    action = SelectField(
        _l("Action"), choices=[SelectChoice(a.value, a.value.title()) for a in PostAction]
    )


class DayField(DateField):  # type: ignore[misc]
    """A calendar day typed as YYYY-MM-DD (a date picker where browsers have one)."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the day, with a message that says what is expected."""
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Enter a date as YYYY-MM-DD, such as 2024-05-31.")) from exc


def within_calendar(_form: Form, field: Field) -> None:
    """Refuse days so far off that no post is written on them (or their times overflow)."""
    if isinstance(field.data, date) and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(
            _l(
                "Choose a day between %(first)s and %(last)s.",
                first=FIRST_DAY.year,
                last=LAST_DAY.year,
            )
        )


class SearchForm(ForumForm):
    """Full-text search with optional filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search for"), filters=[strip_filter], validators=[Length(max=200)])
    forum = StringField(
        _l("In forum"),
        filters=[strip_filter],
        validators=[Optional(), Regexp(r"^[0-9]{1,18}$", message=UNKNOWN_FORUM)],
    )
    author = StringField(_l("By author"), filters=[strip_filter], validators=[Length(max=32)])
    date_from = DayField(_l("From"), validators=[Optional(), within_calendar])
    date_to = DayField(_l("To"), validators=[Optional(), within_calendar])
    topics_only = BooleanField(_l("Topics only (titles and first posts)"))
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice(Sort.RELEVANCE, _l("Relevance")),
            SelectChoice(Sort.DATE, _l("Newest")),
        ],
        default=Sort.RELEVANCE,
    )

    def filters(self, zone: tzinfo) -> SearchFilters:
        """The filters of a validated form; days begin and end in ``zone``."""
        return SearchFilters(
            forum_id=int(self.forum.data) if self.forum.data else None,
            author=self.author.data or None,
            since=_day_start(self.date_from.data, zone),
            until=_day_start(self.date_to.data, zone, days_later=1),
            topics_only=bool(self.topics_only.data),
            sort=Sort(self.sort.data),
        )

    def link_arguments(self) -> dict[str, str]:
        """The query string of this search with its filters, for links to its pages."""
        values = {
            "q": self.q.data,
            "forum": self.forum.data,
            "author": self.author.data,
            "date_from": self.date_from._value(),
            "date_to": self.date_to._value(),
            "topics_only": "y" if self.topics_only.data else "",
            "sort": self.sort.data if self.sort.data != Sort.RELEVANCE else "",
        }
        return {name: value for name, value in values.items() if value}


def _day_start(day: date | None, zone: tzinfo, days_later: int = 0) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days_later), time(), zone).astimezone(UTC)

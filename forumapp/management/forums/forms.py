"""Forms of the categories-and-forums area. Choices that come from the database
(categories, groups, forums) are set by the views before validation."""

from __future__ import annotations

import re
from typing import Any

from wtforms import (
    BooleanField,
    Field,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forumapp.forms import ForumForm, strip_filter
from forumapp.forum.models import TITLE_MAX_LENGTH
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.forums.services import Direction, TopicDisposal
from forumapp.users.models import USERNAME_MAX_LENGTH

DESCRIPTION_MAX_LENGTH = 2000
MAX_MODERATORS = 50
_NAME_SEPARATORS = re.compile(r"[\s,]+")


def optional_id(value: Any) -> int | None:
    """Coerce a select's value: ``None`` for the empty choice, an int otherwise."""
    if value is None or value == "":
        return None
    return int(value)


def usernames(text: str | None) -> tuple[str, ...]:
    """The names in a comma- or space-separated list, each once, in the order typed."""
    names: dict[str, str] = {}
    for name in _NAME_SEPARATORS.split(text or ""):
        if name:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())


def _moderator_list(_form: Form, field: Field) -> None:
    names = usernames(field.data)
    if len(names) > MAX_MODERATORS:
        raise ValidationError(_l("Appoint at most %(max)d moderators.", max=MAX_MODERATORS))
    if any(len(name) > USERNAME_MAX_LENGTH for name in names):
        raise ValidationError(
            _l("Usernames have at most %(max)d characters.", max=USERNAME_MAX_LENGTH)
        )


def _at_least_one(_form: Form, field: Field) -> None:
    if not field.data:
        raise ValidationError(_l("Choose at least one group."))


def _title() -> StringField:
    return StringField(
        _l("Title"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Give it a title.")),
            Length(max=TITLE_MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
    )


def _description() -> TextAreaField:
    return TextAreaField(
        _l("Description"),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
    )


class CheckboxListField(SelectMultipleField):  # type: ignore[misc]
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CategoryForm(ForumForm):
    """A category's title and description."""

    title = _title()
    description = _description()


class ForumSettingsForm(ForumForm):
    """A forum's settings: where it is, what it is, who sees and who moderates it."""

    # Choices are checked against what exists, so an id out of range is refused too.
    category_id = SelectField(_l("Category"), coerce=int)
    title = _title()
    description = _description()
    locked = BooleanField(_l("Locked: only moderators can start topics or reply"))
    groups = CheckboxListField(
        _l("Groups that can see this forum"), coerce=int, validators=[_at_least_one]
    )
    moderators = StringField(
        _l("Moderators"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=1000), _moderator_list],
        description=_l("Usernames, separated by commas. Leave empty for none."),
    )


class MoveForm(ForumForm):
    """A move-up or move-down button."""

    direction = SelectField(
        _l("Direction"), choices=[SelectChoice(d.value, d.value.title()) for d in Direction]
    )


class DeleteCategoryForm(ForumForm):
    """Confirm a category's deletion, naming where its forums go."""

    target_category_id = SelectField(_l("Move its forums to"), coerce=optional_id)


class DeleteForumForm(ForumForm):
    """Confirm a forum's deletion, choosing what happens to its topics."""

    topics = RadioField(
        _l("What happens to its topics?"),
        choices=[
            SelectChoice(TopicDisposal.MOVE.value, _l("Move them to another forum")),
            SelectChoice(TopicDisposal.REMOVE.value, _l("Delete them, with all their posts")),
        ],
        validators=[InputRequired(_l("Choose what happens to its topics."))],
    )
    target_forum_id = SelectField(_l("Forum to move them to"), coerce=optional_id)

"""The forms of the notification pages."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, Form, SelectField
from wtforms.fields.choices import SelectChoice

from forumapp.forms import ForumForm
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.notifications.choices import NotificationChoices
from forumapp.notifications.kinds import DEFAULT_EMAIL, LABELS, EmailMode, Kind, Level
from forumapp.notifications.watching import AutoWatch

LEVEL_CHOICES = [
    (Level.WATCHING.value, _l("Watching: notify me of every post")),
    (Level.TRACKING.value, _l("Tracking: show unread posts only")),
    (Level.MUTED.value, _l("Muted: nothing, not even mentions")),
]
FORUM_LEVEL_CHOICES = [
    (Level.WATCHING.value, _l("Watching: notify me of every new topic")),
    (Level.TRACKING.value, _l("Tracking: show unread topics only")),
    (Level.MUTED.value, _l("Muted: nothing from this forum, not even mentions")),
]
EMAIL_CHOICES = [
    (EmailMode.IMMEDIATE.value, _l("At once")),
    (EmailMode.DAILY.value, _l("Daily digest")),
    (EmailMode.WEEKLY.value, _l("Weekly digest")),
    (EmailMode.NEVER.value, _l("Never")),
]


class WatchForm(ForumForm):
    """The level a member follows a topic or forum at."""

    level = SelectField(
        _l("Notifications"), choices=[SelectChoice(value, label) for value, label in LEVEL_CHOICES]
    )

    def chosen(self) -> Level:
        """The submitted level."""
        return Level(self.level.data)


def email_field_name(kind: Kind) -> str:
    """The form field of a kind's email mode."""
    return f"email_{kind.value}"


class _EmailFields(ForumForm):
    watch_created = BooleanField(_l("Watch the topics I start"))
    watch_replied = BooleanField(
        _l("Watch the topics I reply to"),
        description=_l("Otherwise they are tracked: unread markers, no notifications."),
    )


def _with_email_fields() -> type[_EmailFields]:
    # One select per kind, built once from LABELS so that a new kind gets its field.
    fields: dict[str, Any] = {
        email_field_name(kind): SelectField(
            label, choices=[SelectChoice(value, text) for value, text in EMAIL_CHOICES]
        )
        for kind, label in LABELS.items()
    }
    return type("NotificationSettingsForm", (_EmailFields,), fields)


NotificationSettingsForm = _with_email_fields()


def settings_data(choices: NotificationChoices) -> dict[str, Any]:
    """The settings form's values for ``choices``."""
    data: dict[str, Any] = {
        email_field_name(kind): mode.value for kind, mode in choices.email.items()
    }
    data.update(watch_created=choices.auto_watch.created, watch_replied=choices.auto_watch.replied)
    return data


def submitted_choices(form: Form) -> NotificationChoices:
    """The settings a valid settings form holds."""
    email = {kind: EmailMode(getattr(form, email_field_name(kind)).data) for kind in DEFAULT_EMAIL}
    auto_watch = AutoWatch(bool(form.watch_created.data), bool(form.watch_replied.data))
    return NotificationChoices(email, auto_watch)

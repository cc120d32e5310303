"""The form that resolves a report in the queue."""

from __future__ import annotations

from enum import StrEnum

from wtforms import IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forumapp.forms import ForumForm, strip_filter
from forumapp.forum.ids import ids_only
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.reports.desk import MAX_SUSPENSION_DAYS


class ReportAction(StrEnum):
    """The buttons of a report in the queue."""

    DISMISS = "dismiss"
    DELETE_POST = "delete_post"
    LOCK_TOPIC = "lock_topic"
    WARN = "warn"
    SUSPEND = "suspend"


class ResolveReportForm(ForumForm):
    """One report, the button pressed, and what the chosen action needs."""

    report_id = IntegerField(_l("Report"), validators=[InputRequired(), ids_only])
    #: Without a button (the queue's form before it had actions), a report is dismissed
    #: with the note.
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice(a.value, a.value) for a in ReportAction],
        default=ReportAction.DISMISS.value,
    )
    note = TextAreaField(
        _l("Note, or the reason for a warning or suspension"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=2000, message=_l("Keep it under %(max)d characters."))],
    )
    days = IntegerField(
        _l("Suspend for (days)"),
        validators=[
            Optional(),
            NumberRange(1, MAX_SUSPENSION_DAYS, message=_l("Suspend for 1 to %(max)d days.")),
        ],
    )


class HandleReportForm(ForumForm):
    """Close a report of a private message with a note."""

    note = TextAreaField(
        _l("Note"), filters=[strip_filter], validators=[Optional(), Length(max=2000)]
    )

"""The preferences form; its choices come from the service's :class:`PreferenceChoices`.

The fields do not check the submitted value against their choices: the service does,
and its reasons become the fields' errors.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectField

from forumapp.account.preferences.services import THEMES, PreferenceChoices, Preferences
from forumapp.forms import ForumForm
from forumapp.lazy_text import lazy_gettext as _l

#: The value of the page-size option that follows the site's setting.
SITE_DEFAULT = ""


def page_size(value: object) -> int | None:
    """A submitted page size as a number, ``None`` for the site's default."""
    if value is None or value == SITE_DEFAULT:
        return None
    if isinstance(value, int):
        return value
    # A short run of digits, or WTForms reports "could not coerce" on the field.
    if isinstance(value, str) and value.isdecimal() and len(value) <= 4:
        return int(value)
    raise ValueError(value)


class PreferencesForm(ForumForm):
    """Language, time zone, posts per page and colour theme, each a choice from a list,
    and whether a login from a new device sends an email."""

    language = SelectField(_l("Language"), validate_choice=False)
    timezone = SelectField(
        _l("Time zone"),
        validate_choice=False,
        description=_l("Times on every page are shown in this zone."),
    )
    posts_per_page = SelectField(
        _l("Posts per page"),
        coerce=page_size,
        validate_choice=False,
        description=_l("How many posts a topic page shows."),
    )
    theme = SelectField(
        _l("Colour theme"),
        validate_choice=False,
        description=_l(
            "Light or dark pages; visitors who are not logged in get their system's setting."
        ),
    )
    notify_new_sign_in = BooleanField(
        _l("Email me when my account is logged in to from a new device"),
        description=_l(
            "A browser this account has not logged in from recently. "
            "Other security emails, such as a password change, are always sent."
        ),
    )
    messages_from_members = BooleanField(
        _l("Members may send me private messages"),
        description=_l(
            "When off, only administrators and moderators can start a conversation with you."
        ),
    )
    message_emails = BooleanField(_l("Email me when I get a private message"))

    def __init__(self, choices: PreferenceChoices, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.language.choices = list(choices.languages.items())
        self.timezone.choices = sorted(choices.timezones)
        self.theme.choices = list(THEMES.items())
        self.posts_per_page.choices = [
            (SITE_DEFAULT, str(_l("The site's default (%(num)s)", num=choices.default_page_size))),
            *((str(size), str(size)) for size in choices.page_sizes),
        ]

    def preferences(self) -> Preferences:
        """The submitted preferences."""
        return Preferences(
            self.language.data,
            self.timezone.data,
            self.posts_per_page.data,
            bool(self.notify_new_sign_in.data),
            bool(self.messages_from_members.data),
            bool(self.message_emails.data),
            # A form sent before the theme choice existed keeps the automatic one.
            self.theme.data or "auto",
        )

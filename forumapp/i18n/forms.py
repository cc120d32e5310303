"""The language menu's form."""

from __future__ import annotations

from typing import Any

from flask import current_app
from wtforms import HiddenField, SelectField

from forumapp.forms import ForumForm
from forumapp.lazy_text import lazy_gettext as _l


class LanguageForm(ForumForm):
    """A language among ``LANGUAGES``, and the page to go back to."""

    language = SelectField(_l("Language"), validate_choice=False)
    next = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = list(current_app.config["LANGUAGES"].items())

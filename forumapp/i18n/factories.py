"""What the i18n blueprint's views are built with; a host app may pass its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.extensions import db
from forumapp.i18n.services import LanguageChoice
from forumapp.i18n.stores import SqlMemberLanguages


@dataclass(frozen=True)
class I18nFactories:
    """The collaborators of the language menu."""

    language_choice: Callable[[], LanguageChoice]


def language_choice() -> LanguageChoice:
    """The menu's service over forumapp's members and ``LANGUAGES``."""
    return LanguageChoice(
        SqlMemberLanguages(db.session), db.session, current_app.config["LANGUAGES"]
    )


def default_factories() -> I18nFactories:
    """forumapp's own wiring."""
    return I18nFactories(language_choice=language_choice)

"""Numbers, counts and moments as a reader of the page's language expects them.

Everything goes through Babel with the page's locale (Flask-Babel's choice), so that a
translated site formats "1,234" as "1 234" or "1.234" and picks the right plural without
touching the templates. The pure functions take the locale; :data:`FILTERS` are their
Jinja faces, which read it from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_timedelta
from babel.numbers import format_decimal
from flask import Blueprint, current_app
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from forumapp.localtime import time_element
from forumapp.sqltypes import utcnow

#: The locale of a language Babel does not know.
FALLBACK_LOCALE = "en"


@cache
def locale_of(language: str | None) -> Locale:
    """Babel's locale for a language code such as "en" or "pt_BR" (English if unknown)."""
    try:
        return Locale.parse((language or FALLBACK_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(FALLBACK_LOCALE)


def number(value: int | float, locale: Locale) -> str:
    """``value`` with the locale's digit grouping: "1,234" in English."""
    return str(format_decimal(value, locale=locale))


def count(value: int, singular: str, plural: str, locale: Locale) -> str:
    """``value`` and the noun in the form it takes: "1 post", "1,234 posts".

    The locale's plural rule decides which of the two forms applies; the forms themselves
    come from the template (and from its translation, once there is one).
    """
    noun = singular if locale.plural_form(value) == "one" else plural
    return f"{number(value, locale)} {noun}"


def ago(moment: datetime, now: datetime, locale: Locale) -> str:
    """How long before ``now`` ``moment`` was, in words: "3 hours ago", "in 2 days"."""
    return str(format_timedelta(moment - now, add_direction=True, locale=locale))


def reader_locale() -> Locale:
    """The locale of the page being built: Flask-Babel's choice where it is bound
    (forumapp's own app, see :mod:`forumapp.i18n`), else the member's language or the
    site's default."""
    if "babel" in current_app.extensions:
        chosen: Locale | None = get_locale()
        if chosen is not None:
            return chosen
    language = getattr(current_user, "language", None) or current_app.config["DEFAULT_LANGUAGE"]
    return locale_of(language)


def number_filter(value: int | float | None) -> str:
    """Jinja ``number``: ``{{ forum.post_count | number }}``."""
    return number(value or 0, reader_locale())


def count_filter(value: int | None, singular: str, plural: str) -> str:
    """Jinja ``count``: ``{{ topic.reply_count | count("reply", "replies") }}``."""
    return count(value or 0, singular, plural, reader_locale())


def ago_filter(moment: datetime | None) -> Markup:
    """Jinja ``ago``: a ``<time>`` that reads "3 hours ago", with the full date in its
    ``title`` (shown on hover) and the UTC moment in ``datetime``."""
    if moment is None:
        return Markup("")
    return time_element(moment, ago(moment, utcnow(), reader_locale()))


#: The filters templates use, by name.
FILTERS: dict[str, Callable[..., Any]] = {
    "number": number_filter,
    "count": count_filter,
    "ago": ago_filter,
}


def install_filters(blueprint: Blueprint) -> None:
    """Give the app of ``blueprint`` the :data:`FILTERS`; each blueprint whose templates
    use them calls this, so that it can be mounted alone."""
    for name, template_filter in FILTERS.items():
        blueprint.add_app_template_filter(template_filter, name)

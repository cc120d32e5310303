"""Numbers, counts and moments as a reader of the page's language expects them.

Everything goes through Babel with the page's locale (Flask-Babel's choice), so that a
translated site formats "1,234" as "1 234" or "1.234" and picks the right plural without
touching the templates. The pure functions take the locale; :data:`FILTERS` are their
Jinja faces, which read it from the request. Plurals are the templates' ``ngettext``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from babel import Locale
from babel.dates import format_timedelta
from babel.numbers import format_decimal
from flask import Blueprint
from markupsafe import Markup

from forumapp.localtime import locale_of, reader_locale, time_element
from forumapp.sqltypes import utcnow

__all__ = [
    "FILTERS",
    "ago",
    "ago_filter",
    "install_filters",
    "locale_of",
    "number",
    "number_filter",
    "reader_locale",
]


def number(value: int | float, locale: Locale) -> str:
    """``value`` with the locale's digit grouping: "1,234" in English."""
    return str(format_decimal(value, locale=locale))


def ago(moment: datetime, now: datetime, locale: Locale) -> str:
    """How long before ``now`` ``moment`` was, in words: "3 hours ago", "in 2 days"."""
    return str(format_timedelta(moment - now, add_direction=True, locale=locale))


def number_filter(value: int | float | None) -> str:
    """Jinja ``number``: ``{{ forum.post_count | number }}``."""
    return number(value or 0, reader_locale())


def ago_filter(moment: datetime | None) -> Markup:
    """Jinja ``ago``: a ``<time>`` that reads "3 hours ago", with the full date in its
    ``title`` (shown on hover) and the UTC moment in ``datetime``."""
    if moment is None:
        return Markup("")
    return time_element(moment, ago(moment, utcnow(), reader_locale()))


#: The filters templates use, by name.
FILTERS: dict[str, Callable[..., Any]] = {
    "number": number_filter,
    "ago": ago_filter,
}


def install_filters(blueprint: Blueprint) -> None:
    """Give the app of ``blueprint`` the :data:`FILTERS`; each blueprint whose templates
    use them calls this, so that it can be mounted alone."""
    for name, template_filter in FILTERS.items():
        blueprint.add_app_template_filter(template_filter, name)

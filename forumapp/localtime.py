"""Times in the reader's time zone and language: the member's zone, or
``DEFAULT_TIMEZONE`` for guests and members who chose none, written as the page's
language writes dates (Babel's CLDR patterns: "4 dic 2026", "4. Dez. 2026").

The zone is read from the member row Flask-Login has already loaded, so showing a time
costs no query. Every page prints times through :func:`local_time` (the ``when()`` macro
of ``templates/macros/forum.html``): the machine-readable UTC moment goes into
``datetime``, the full date with the zone's name into ``title``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from flask import current_app
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

#: The locale of a language Babel does not know.
FALLBACK_LOCALE = "en"

#: CLDR's widths of a date or a time, from "12/4/26" to "Friday, December 4, 2026".
Width = Literal["full", "long", "medium", "short"]

#: How templates name a way of writing a moment: ``when(moment, "month")``.
Style = Literal["datetime", "date", "month", "numeric"]

#: The CLDR skeleton of each style that shows no time of day: the locale orders the
#: fields and picks the words ("Dec 2026", "Dez. 2026", "ديسمبر 2026").
DATE_SKELETONS: dict[str, str] = {"date": "yMMMd", "month": "yMMM", "numeric": "yMd"}

#: Formats written in strftime's language before times followed the page's language,
#: and the style each one was for; a template may still pass one of these.
STRFTIME_STYLES: dict[str, Style] = {
    "%d %b %Y, %H:%M": "datetime",
    "%d %b %Y": "date",
    "%b %Y": "month",
    "%Y-%m-%d": "numeric",
}


@cache
def known_timezones() -> frozenset[str]:
    """The IANA zone names this system has data for (read once: the lookup scans disk)."""
    return frozenset(available_timezones())


def viewer_zone() -> ZoneInfo:
    """The zone of the person reading: the member's own, else the site's default."""
    # A host app's user model (or a guest) may have no zone: the site default applies.
    chosen = getattr(current_user, "timezone", None)
    name = chosen if chosen in known_timezones() else current_app.config["DEFAULT_TIMEZONE"]
    return ZoneInfo(name)


def date_and_time(
    moment: datetime, zone: tzinfo, locale: Locale, date_width: Width, time_width: Width
) -> str:
    """``moment`` in ``zone`` as ``locale`` joins a date and a time, each in one of CLDR's
    widths ("short", "medium", "long", "full")."""
    joined = get_datetime_format(date_width, locale=locale)
    day = format_date(moment.astimezone(zone), date_width, locale=locale)
    hour = format_time(moment, time_width, tzinfo=zone, locale=locale)
    # CLDR's joining pattern may quote literal words ("{1} 'at' {0}").
    return str(joined).replace("'", "").replace("{1}", day).replace("{0}", hour)


def written(moment: datetime, style: str, zone: tzinfo, locale: Locale) -> str:
    """``moment`` as the page shows it: a ``style`` of :data:`Style` (or one of the
    :data:`STRFTIME_STYLES`), in ``zone``, in ``locale``'s words and order."""
    style = STRFTIME_STYLES.get(style, style)
    if style in DATE_SKELETONS:
        return str(format_skeleton(DATE_SKELETONS[style], moment, tzinfo=zone, locale=locale))
    return date_and_time(moment, zone, locale, "medium", "short")


def in_full(moment: datetime, zone: ZoneInfo, locale: Locale) -> str:
    """The whole date and the time to the second, and the zone's name: the ``title``."""
    return f"{date_and_time(moment, zone, locale, 'full', 'medium')} {zone.key}"


def local_time(moment: datetime | None, style: str = "datetime") -> Markup:
    """A ``<time>`` element showing ``moment`` in the reader's zone and language, written
    in ``style`` (see :func:`written`); empty for ``None``."""
    if moment is None:
        return Markup("")
    return time_element(moment, written(moment, style, viewer_zone(), reader_locale()))


def time_element(moment: datetime, text: str) -> Markup:
    """A ``<time>`` element that reads ``text``, with the full date in the reader's zone
    in ``title`` and the UTC moment, to the second, in ``datetime``."""
    title = in_full(moment, viewer_zone(), reader_locale())
    # Whole seconds: HTML allows at most three fractional digits, Python writes six.
    stamp = moment.astimezone(UTC).isoformat(timespec="seconds")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(stamp, title, text)


@cache
def locale_of(language: str | None) -> Locale:
    """Babel's locale for a language code such as "en" or "pt_BR" (English if unknown)."""
    try:
        return Locale.parse((language or FALLBACK_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(FALLBACK_LOCALE)


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

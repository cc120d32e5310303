"""Which language a page is written in: the member's choice, else the guest's cookie, else
the browser's ``Accept-Language``, else the site's ``DEFAULT_LANGUAGE``.

:func:`choose_locale` decides from plain values (tested without Flask); the locale selector
Flask-Babel calls, in :mod:`forumapp.i18n`, only gathers them from the request.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable

log = logging.getLogger(__name__)

#: The cookie a guest's choice from the language menu is kept in.
COOKIE_NAME = "forumapp_language"
#: How long a guest's choice is remembered (a year, in seconds).
COOKIE_MAX_AGE = 365 * 24 * 3600


def normalise(code: str) -> str:
    """``de-AT`` → ``de_AT``, the form Babel and the catalogue folders use."""
    return code.strip().replace("-", "_")


def best_offered(requested: Iterable[str], offered: Collection[str]) -> str | None:
    """The first of ``requested`` (most preferred first) that is offered, matching a regional
    variant to its language (``de_CH`` → ``de``) when only the language is offered."""
    for code in requested:
        wanted = normalise(code)
        if wanted in offered:
            return wanted
        language = wanted.split("_", 1)[0].lower()
        if language in offered:
            return language
    return None


def choose_locale(
    *,
    member_choice: str | None,
    cookie: str | None,
    accepted: Iterable[str],
    offered: Collection[str],
    default: str,
) -> str:
    """The language of the page. A value that is not offered (a language the site stopped
    offering, a forged cookie) is passed over for the next source, never an error."""
    for source, value in (("member preference", member_choice), ("cookie", cookie)):
        if not value:
            continue
        if value in offered:
            return value
        log.warning("Ignoring the %s %r: it is not one of LANGUAGES.", source, value[:40])
    return best_offered(accepted, offered) or default


def text_direction(code: str) -> str:
    """``rtl`` for languages written right to left, ``ltr`` otherwise."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).text_direction
    except (UnknownLocaleError, ValueError):
        return "ltr"

"""Times in the reader's time zone: the member's choice, or ``DEFAULT_TIMEZONE`` for
guests and members who chose none.

The zone is read from the member row Flask-Login has already loaded, so showing a time
costs no query. Every page prints times through :func:`local_time` (the ``when()`` macro
of ``templates/macros/forum.html``): the machine-readable UTC moment goes into
``datetime``, the full date with the zone's name into ``title``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app
from flask_login import current_user
from markupsafe import Markup

#: How a time reads on the page, and in full in its tooltip.
SHORT_FORMAT = "%d %b %Y, %H:%M"
FULL_FORMAT = "%A %d %B %Y, %H:%M:%S"


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


def local_time(moment: datetime | None, fmt: str = SHORT_FORMAT) -> Markup:
    """A ``<time>`` element showing ``moment`` in the reader's zone (empty for ``None``)."""
    if moment is None:
        return Markup("")
    return time_element(moment, moment.astimezone(viewer_zone()).strftime(fmt))


def time_element(moment: datetime, text: str) -> Markup:
    """A ``<time>`` element that reads ``text``, with the full date in the reader's zone
    in ``title`` and the UTC moment, to the second, in ``datetime``."""
    zone = viewer_zone()
    title = f"{moment.astimezone(zone).strftime(FULL_FORMAT)} {zone.key}"
    # Whole seconds: HTML allows at most three fractional digits, Python writes six.
    stamp = moment.astimezone(UTC).isoformat(timespec="seconds")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(stamp, title, text)

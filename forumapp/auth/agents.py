"""How the account pages and security notices describe a browser to its owner.

Both come from what the browser sent: the ``User-Agent`` header, parsed by ua-parser
(the Browserscope rules), and the client address, shortened so that a page or an email
that leaks shows roughly where, never exactly where.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from ua_parser import parse

from forumapp.auth.ports import ClientInfo, Notice
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.localtime import known_timezones

UNKNOWN_BROWSER = _l("Unknown browser")
#: As much of a ``User-Agent`` header as is parsed (and stored with a session): the rules
#: are regular expressions, and a header can be as long as the server allows.
USER_AGENT_MAX = 255
#: How a notice writes a moment, in UTC and in the member's zone.
NOTICE_TIME_FORMAT = "%Y-%m-%d %H:%M"


@lru_cache(maxsize=256)
def _browser_and_system(user_agent: str) -> tuple[str | None, str | None]:
    """The browser (with its major version) and the operating system a ``User-Agent``
    header names, each ``None`` when the rules do not know it."""
    # The rules are regular expressions: cached, since a member's few browsers repeat.
    result = parse(user_agent[:USER_AGENT_MAX])
    browser = result.user_agent
    system = result.os
    name = None
    if browser is not None and browser.family != "Other":
        name = f"{browser.family} {browser.major}" if browser.major else browser.family
    known_system = system.family if system is not None and system.family != "Other" else None
    return name, known_system


def describe_user_agent(user_agent: str) -> str:
    """``"Firefox 128 on Ubuntu"``-style words for a ``User-Agent`` header, in the
    language of the page (or email) being written."""
    browser, system = _browser_and_system(user_agent)
    name = browser or str(UNKNOWN_BROWSER)
    if system is not None:
        return str(_l("%(browser)s on %(system)s", browser=name, system=system))
    return name


def approximate_address(address: str) -> str:
    """The network a client address belongs to: ``203.0.113.x``, or a /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return str(_l("Unknown address"))
    if ip.version == 4:
        return str(ipaddress.ip_network(f"{ip}/24", strict=False).network_address)[:-1] + "x"
    return str(ipaddress.ip_network(f"{ip}/48", strict=False))


def notice_for(client: ClientInfo, when: datetime) -> Notice:
    """What a security notice says about a change ``client`` made at ``when``."""
    return Notice(
        when=when,
        browser=describe_user_agent(client.user_agent),
        address=approximate_address(client.ip_address),
    )


def time_in_zone(when: datetime, zone: str | None) -> str:
    """``when`` as the clock in ``zone`` read (``"2026-12-04 17:03 Europe/Paris"``), or
    ``""`` when the member chose no zone, an unknown one, or UTC itself."""
    if not zone or zone == "UTC" or zone not in known_timezones():
        return ""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local.strftime(NOTICE_TIME_FORMAT)} {zone}"

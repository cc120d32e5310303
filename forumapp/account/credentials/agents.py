"""How the account pages and notices describe a browser to its owner.

Both come from what the browser sent: the ``User-Agent`` header, parsed by ua-parser
(the Browserscope rules), and the client address, shortened so that a page or an email
that leaks shows roughly where, never exactly where.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from functools import lru_cache

from ua_parser import parse

from forumapp.account.credentials.ports import Notice
from forumapp.auth.ports import ClientInfo

UNKNOWN_BROWSER = "Unknown browser"
#: As much of a ``User-Agent`` header as is parsed (and stored with a session): the rules
#: are regular expressions, and a header can be as long as the server allows.
USER_AGENT_MAX = 255


@lru_cache(maxsize=256)
def describe_user_agent(user_agent: str) -> str:
    """``"Firefox 128 on Ubuntu"``-style words for a ``User-Agent`` header."""
    # The rules are regular expressions: cached, since a member's few browsers repeat.
    result = parse(user_agent[:USER_AGENT_MAX])
    browser = result.user_agent
    system = result.os
    name = UNKNOWN_BROWSER
    if browser is not None and browser.family != "Other":
        name = f"{browser.family} {browser.major}" if browser.major else browser.family
    if system is not None and system.family != "Other":
        return f"{name} on {system.family}"
    return name


def approximate_address(address: str) -> str:
    """The network a client address belongs to: ``203.0.113.x``, or a /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "Unknown address"
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

"""A short name for the browser behind a User-Agent string, for the login history.

A rough reading on purpose: the history helps an owner tell their own logins from
someone else's ("Firefox on Linux"), and the full string is kept beside it.
"""

from __future__ import annotations

import re

#: Checked in order: Edge and Opera also call themselves Chrome, Chrome calls itself Safari.
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iOS", re.compile(r"\biPhone\b|\biPad\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)
#: User-Agent strings are at most 255 characters here (the column), so the searches are cheap.
_MAX = 255


def browser_name(user_agent: str) -> str:
    """``"Firefox on Linux"``, ``"Safari on iOS"``; ``"Unknown browser"`` when unsure."""
    text = user_agent[:_MAX]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(text)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(text)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"

"""The settings menu: every account page the app serves, in one order, on every page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from forumapp.lazy_text import lazy_gettext as _l


@dataclass(frozen=True)
class MenuEntry:
    """One link of the settings menu."""

    label: str
    url: str
    current: bool


#: Endpoint and label of each settings page. Pages of other blueprints (the API tokens)
#: belong here too: the member sees one settings area whoever serves each page.
PAGES: tuple[tuple[str, str], ...] = (
    ("account.profile", _l("Profile")),
    ("account.avatar", _l("Avatar")),
    ("account.preferences", _l("Preferences")),
    ("notifications.settings", _l("Notifications")),
    ("account.password", _l("Password")),
    ("account.email", _l("Email address")),
    ("account.sessions", _l("Sessions")),
    ("account.security", _l("Security")),
    ("tokens.tokens", _l("API tokens")),
    ("account.export", _l("Export your data")),
    ("account.delete", _l("Delete account")),
)


def settings_menu() -> list[MenuEntry]:
    """The settings pages this app serves; the one being shown is marked current."""
    served = current_app.view_functions
    return [
        MenuEntry(label, url_for(endpoint), endpoint == request.endpoint)
        for endpoint, label in PAGES
        if endpoint in served
    ]


def first_settings_url() -> str | None:
    """Where the header's "Settings" link goes: the first page of the menu, if any."""
    entries = settings_menu()
    return entries[0].url if entries else None

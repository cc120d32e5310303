"""The plugin and theme pages with fake services injected through ``as_view``: the views
are mounted in a blueprint of their own in a real app, over an administration service
that only records calls and a worker state built in memory from the sample plugins."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient

from forumapp.domain_errors import answer_domain_errors
from forumapp.management.audit.log import Auditor
from forumapp.plugins.host import PluginHost
from forumapp.plugins.live import LiveExtensions
from forumapp.plugins.services import Snapshot
from forumapp.plugins.views import PluginSettingsView, PluginsView, ThemesView
from forumapp.themes.manifest import Theme
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.plugin_samples import samples


@dataclass
class FakeAdministration:
    """Answers with a fixed snapshot and records every change asked of it."""

    state: Snapshot
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def snapshot(self) -> Snapshot:
        return self.state

    def set_enabled(self, auditor: Auditor, plugin: str, enabled: bool) -> bool:
        self.calls.append(("set_enabled", auditor.username, plugin, enabled))
        return True

    def save_settings(
        self, auditor: Auditor, plugin: str, definitions: Any, current: Any, values: Any
    ) -> list[str]:
        self.calls.append(("save_settings", plugin, dict(values)))
        return list(values)

    def choose_theme(self, auditor: Auditor, theme: str | None) -> bool:
        self.calls.append(("choose_theme", theme))
        return True


class CountingLive(LiveExtensions):
    """A worker state that counts how often a view asked it to look again."""

    expired = 0

    def expire(self) -> None:
        self.expired += 1


@dataclass
class Panel:
    administration: FakeAdministration
    live: CountingLive


STATE = Snapshot(
    7,
    frozenset({"greeter", "pages"}),
    None,
    errors={"broken-hook": "ValueError: from another worker"},
)


@pytest.fixture
def panel(app: Flask, world: World) -> Panel:
    administration = FakeAdministration(STATE)
    compact = Theme("compact", "Squeezed", "Dense", "3", Path("/nowhere"))
    host = PluginHost(samples("greeter", "pages", "broken-hook"))
    live = CountingLive(
        host,
        lambda: {"compact": compact},
        lambda: administration,
        print,
        lambda: 1,  # type: ignore[arg-type,return-value]
    )
    host.apply({"greeter", "pages"})  # loaded now: "pages" mounts no blueprint until a restart
    injected = {
        "administration_factory": lambda: administration,
        "extensions_factory": lambda: live,
    }
    bp = Blueprint("fakeplugins", __name__, url_prefix="/fakeplugins")
    answer_domain_errors(bp)
    bp.add_url_rule("/plugins", view_func=PluginsView.as_view("plugins", **injected))
    bp.add_url_rule(
        "/plugins/<name>", view_func=PluginSettingsView.as_view("plugin_settings", **injected)
    )
    bp.add_url_rule("/themes", view_func=ThemesView.as_view("themes", **injected))
    app.register_blueprint(bp)
    return Panel(administration, live)


def test_the_list_shows_the_services_state_and_this_workers_knowledge(
    client: FlaskClient, world: World, auth: AuthActions, panel: Panel
) -> None:
    login_as(auth, world, "admin")
    page = client.get("/fakeplugins/plugins").get_data(as_text=True)
    assert 'aria-label="Disable greeter"' in page
    assert 'aria-label="Enable broken-hook"' in page
    assert "ValueError: from another worker" in page
    assert page.count("Restart needed") == 1  # "pages" has a blueprint hook
    assert 'href="/admin/plugins/greeter"' in page  # greeter declares settings
    assert 'href="/admin/plugins/pages"' not in page


def test_a_switch_reaches_the_service_with_the_acting_admin_and_the_worker_looks_again(
    client: FlaskClient, world: World, auth: AuthActions, panel: Panel
) -> None:
    login_as(auth, world, "admin")
    response = post_form(client, "/fakeplugins/plugins", plugin="greeter", action="disable")
    assert response.status_code == 302
    assert panel.administration.calls == [("set_enabled", "root", "greeter", False)]
    assert panel.live.expired == 1


def test_settings_are_read_from_the_plugin_and_saved_through_the_service(
    client: FlaskClient, world: World, auth: AuthActions, panel: Panel
) -> None:
    login_as(auth, world, "admin")
    assert 'value="Hello from greeter"' in client.get("/fakeplugins/plugins/greeter").get_data(
        as_text=True
    )
    post_form(client, "/fakeplugins/plugins/greeter", GREETING="Hi", LOUD="y")
    assert panel.administration.calls == [
        ("save_settings", "greeter", {"GREETING": "Hi", "LOUD": True})
    ]
    assert client.get("/fakeplugins/plugins/broken-hook").status_code == 404


def test_the_theme_page_offers_the_workers_themes_and_default_means_none(
    client: FlaskClient, world: World, auth: AuthActions, panel: Panel
) -> None:
    login_as(auth, world, "admin")
    page = client.get("/fakeplugins/themes").get_data(as_text=True)
    assert "Squeezed" in page
    assert "Dense (version 3)" in page
    post_form(client, "/fakeplugins/themes", theme="compact")
    post_form(client, "/fakeplugins/themes", theme="default")
    assert panel.administration.calls == [("choose_theme", "compact"), ("choose_theme", None)]
    assert panel.live.expired == 2

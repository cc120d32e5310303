"""An administrator enables a plugin and picks a theme in a real browser; axe-core checks
every page on the way (the plugin list, the theme choice, the site in the new theme)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD
from tests.forum_world import World
from tests.plugin_samples import samples

if TYPE_CHECKING:
    from tests.browser.conftest import LaunchBrowser

pytestmark = pytest.mark.usefixtures("browser_tools")


@pytest.fixture(autouse=True)
def _sample_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("forumapp.plugins.install.installed_plugins", samples)


def test_admin_enables_a_plugin_and_switches_to_the_compact_theme(
    launch_browser: LaunchBrowser, world: World
) -> None:
    world.topic()
    admin = launch_browser("admin")
    admin.open("/auth/login")
    admin.log_in("root", PASSWORD)
    admin.open("/admin/plugins")
    admin.expect_text("h1", "Plugins")
    row = admin.find("#plugin-greeter")
    admin.submit(row.find_element("css selector", "form"), button="Enable")
    admin.expect_text("#plugin-greeter", "Enabled")
    admin.expect_text(".greeter-banner", "Hello from greeter")

    admin.open("/admin/themes")
    admin.find('input[name="theme"][value="compact"]').click()
    admin.submit()
    admin.expect_text(".flashes", "Theme changed.")
    admin.open("/")
    stylesheet = admin.find('link[href^="/themes/compact/"]').get_dom_attribute("href")
    assert admin.fetch_status(stylesheet) == 200

"""The first run in a real browser: the owner opens the setup page with the code the
console printed, creates the first administrator and names the site, logs in and reaches
the admin panel; the setup page is gone after that. Every page is checked with axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from forumapp.setup.codes import SetupCodeFile
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")


@pytest.fixture(autouse=True)
def _private_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The setup code lives in the instance folder: this test's app gets its own.
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(tmp_path / "instance"))


def test_the_owner_sets_the_forum_up_from_the_console_code_and_reaches_the_admin_panel(
    app: Flask, browser: Browser
) -> None:
    # What `forumapp run` prints on a database without an administrator.
    code = SetupCodeFile(app.instance_path).issue()
    web = browser

    web.open("/setup")
    web.type("code", code)
    web.type("site_name", "Rock Climbers")
    web.type("username", "owner")
    web.type("email", "owner@example.org")
    web.type("password", PASSWORD)
    web.type("confirm_password", PASSWORD)
    web.submit()

    web.expect_path("/auth/login")
    web.log_in("owner", PASSWORD)
    web.expect_logged_in("owner")
    assert "Rock Climbers" in web.driver.title
    web.follow("Admin", within="header")
    web.expect_text("main h1", "Dashboard")
    assert web.path == "/admin/"
    # Once an administrator exists, the setup page is gone, code or no code.
    assert web.fetch_status("/setup") == 404

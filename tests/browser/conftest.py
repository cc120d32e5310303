"""Browser fixtures: the real app served on 127.0.0.1, an SMTP sink and headless Chromium.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package. Without
them the browser tests skip on a developer's machine and fail in CI (``CI=true``), where
nothing may be skipped.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.smtp import SmtpSink

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = (
    "install them with `apt-get install chromium chromium-driver` and `pip install -e '.[test]'`"
)


def missing_browser_tools() -> list[str]:
    """What the browser tests need and this machine lacks."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if find_spec("selenium") is None:
        missing.append("the selenium package")
    return missing


@pytest.fixture
def config_overrides(smtp_sink: SmtpSink) -> dict[str, Any]:
    """On top of ``base_config``: mail over SMTP to the sink, sent before the response."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_sink.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_SEND_ASYNC": False,
    }


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app (``tests/conftest.py``'s, on a copy of the migrated database) served by
    Werkzeug from a thread; yields its base URL, which is also the app's ``EXTERNAL_URL``
    so that the links in its emails open in the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Read per request, so it can change as long as nothing has been served yet.
    app.config["EXTERNAL_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def browser_tools() -> None:
    """Fail in CI, skip elsewhere, when Chromium, chromedriver or Selenium is missing."""
    missing = missing_browser_tools()
    if not missing:
        return
    message = f"browser tests need {', '.join(missing)}: {INSTALL_HINT}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must not skip browser tests; {message}")
    pytest.skip(message)


@pytest.fixture
def driver(
    browser_tools: None,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[WebDriver]:
    """Headless Chromium; the last page of the test is saved as
    ``test-artifacts/browser/<test name>.png``, whether the test passed or not."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never go to the network (the explicit Service skips it too).
    monkeypatch.setenv("SE_OFFLINE", "true")
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    chrome = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    chrome.set_page_load_timeout(15)
    try:
        yield chrome
    finally:
        try:
            artifacts = request.config.rootpath / "test-artifacts" / "browser"
            artifacts.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            chrome.save_screenshot(str(artifacts / f"{name}.png"))
        finally:
            chrome.quit()

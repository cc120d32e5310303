"""Browser fixtures: the real app served on 127.0.0.1, an SMTP sink, headless Chromium and
axe-core.

Needs Debian's ``chromium`` and ``chromium-driver``, the ``selenium`` package, and npm for
axe-core (installed on first use into ``test-artifacts/cache``, see ``tests/browser/axe.py``).
Without them the browser tests skip on a developer's machine and fail in CI (``CI=true``),
where nothing may be skipped.

Every page a journey visits through :class:`~tests.browser.browsing.Browser` is scanned
with axe-core; once a test's body has passed, its pages must have no "serious" or
"critical" violation (``pytest_runtest_call`` below). Each test leaves
``test-artifacts/browser/<test>.png`` (its last page, passed or failed) and
``<test>.axe.txt`` (the pages scanned and everything axe found).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser.axe import AxeScanner, AxeUnavailable, install
from tests.browser.browsing import Browser
from tests.smtp import SmtpSink

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = (
    "install them with `apt-get install chromium chromium-driver` and `pip install -e '.[test]'`"
)
SCRIPT_TIMEOUT_SECONDS = 30

LaunchBrowser = Callable[..., Browser]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "app_config(**settings): configuration of this browser test's app"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a browser test's body passed, check the accessibility of the pages it saw
    (an ``xfail(raises=AccessibilityViolations)`` marker can hold known violations)."""
    result = yield
    axe = getattr(item, "funcargs", {}).get("axe")
    if isinstance(axe, AxeScanner):
        axe.assert_no_serious_violations()
    return result


def tool_missing(message: str) -> None:
    """Fail in CI, skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must not skip browser tests; {message}")
    pytest.skip(message)


def missing_browser_tools() -> list[str]:
    """What the browser tests need and this machine lacks."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if find_spec("selenium") is None:
        missing.append("the selenium package")
    return missing


def artifact_path(request: pytest.FixtureRequest, suffix: str) -> Path:
    """``test-artifacts/browser/<test name><suffix>``."""
    folder = request.config.rootpath / "test-artifacts" / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (re.sub(r"[^\w.-]+", "_", request.node.name) + suffix)


@pytest.fixture
def config_overrides(smtp_sink: SmtpSink, request: pytest.FixtureRequest) -> dict[str, Any]:
    """On top of ``base_config``: mail over SMTP to the sink, sent before the response,
    and the settings of the test's ``app_config`` marker."""
    marker = request.node.get_closest_marker("app_config")
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_sink.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_SEND_ASYNC": False,
        **(marker.kwargs if marker else {}),
    }


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app (``tests/conftest.py``'s, on a copy of the migrated database) served by
    Werkzeug from a thread; yields its base URL, which is also the app's ``EXTERNAL_URL``
    so that the links in its emails open in the browser."""
    yield from serve(app)


def serve(app: Flask, host_name: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 from a thread until the generator is closed; yields its
    base URL under ``host_name`` (a name of 127.0.0.1), also set as ``EXTERNAL_URL``."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://{host_name}:{server.server_port}"
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
    if missing:
        tool_missing(f"browser tests need {', '.join(missing)}: {INSTALL_HINT}")


@pytest.fixture(scope="session")
def axe_source(request: pytest.FixtureRequest) -> str:
    """axe.min.js of the pinned axe-core, installed with npm on first use."""
    try:
        script = install(request.config.rootpath)
    except AxeUnavailable as exc:
        tool_missing(str(exc))
    return script.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str, request: pytest.FixtureRequest) -> Iterator[AxeScanner]:
    """The accessibility findings of this test's pages, written to ``<test>.axe.txt``."""
    scanner = AxeScanner(axe_source)
    try:
        yield scanner
    finally:
        artifact_path(request, ".axe.txt").write_text(scanner.report(), encoding="utf-8")


@pytest.fixture
def launch_browser(
    browser_tools: None,
    axe: AxeScanner,
    live_server: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LaunchBrowser]:
    """Start headless Chromium on the live server: ``launch_browser("moderator")``. The
    last page of each is saved as ``test-artifacts/browser/<test name>[-<name>].png``,
    whether the test passed or not."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never go to the network (the explicit Service skips it too).
    monkeypatch.setenv("SE_OFFLINE", "true")
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    started: list[tuple[str, WebDriver]] = []
    stack = ExitStack()

    def launch(name: str = "") -> Browser:
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
            f"--user-data-dir={tmp_path / f'profile-{len(started)}'}",
        ):
            options.add_argument(argument)
        chrome = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        stack.callback(chrome.quit)
        started.append((name, chrome))
        chrome.set_page_load_timeout(15)
        chrome.set_script_timeout(SCRIPT_TIMEOUT_SECONDS)
        axe.preload(chrome)
        return Browser(chrome, live_server, axe)

    with stack:  # every browser quits, even when a screenshot fails
        try:
            yield launch
        finally:
            for name, chrome in started:
                suffix = f"-{name}.png" if name else ".png"
                chrome.save_screenshot(str(artifact_path(request, suffix)))


@pytest.fixture
def browser(launch_browser: LaunchBrowser) -> Browser:
    """One person's headless Chromium on the live server."""
    return launch_browser()

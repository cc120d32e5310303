"""Browser fixtures: the real app served on 127.0.0.1, an SMTP sink and headless Chromium.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package. Without
them the browser tests skip on a developer's machine and fail in CI (``CI=true``), where
nothing may be skipped.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MAIL_WAIT_SECONDS = 5.0
INSTALL_HINT = (
    "install them with `apt-get install chromium chromium-driver` and `pip install -e '.[test]'`"
)


def missing_browser_tools() -> list[str]:
    """What the browser tests need and this machine lacks."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if find_spec("selenium") is None:
        missing.append("the selenium package")
    return missing


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (aiosmtpd cannot use 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Mail:
    """One message as the SMTP sink received it."""

    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert isinstance(part, EmailMessage)
        return str(part.get_content())

    def links(self) -> list[str]:
        """The absolute links in the plain-text body (without trailing punctuation)."""
        return [link.rstrip(".,:;") for link in re.findall(r"https?://[^\s<>\"]+", self.text)]


class MailSink:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._envelopes: list[Envelope] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            self._envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def received(self) -> list[Mail]:
        with self._lock:
            envelopes = list(self._envelopes)
        return [self._parse(envelope) for envelope in envelopes]

    def wait_for_link(self, to: str, url_prefix: str, timeout: float = MAIL_WAIT_SECONDS) -> str:
        """The newest link starting with ``url_prefix`` mailed to ``to``; fails after
        ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            links = [
                link
                for mail in self.received
                if mail.rcpt_tos == [to]
                for link in mail.links()
                if link.startswith(url_prefix)
            ]
            if links:
                return links[-1]
            assert time.monotonic() < deadline, (
                f"no email to {to} with a link to {url_prefix} in {self.received}"
            )
            time.sleep(0.02)

    @staticmethod
    def _parse(envelope: Envelope) -> Mail:
        content = envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return Mail(list(envelope.rcpt_tos), message)


@pytest.fixture
def smtp_sink() -> Iterator[MailSink]:
    """A real SMTP server on a free 127.0.0.1 port that keeps what it receives."""
    sink = MailSink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def config_overrides(smtp_sink: MailSink) -> dict[str, Any]:
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

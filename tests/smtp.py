"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps the messages it receives."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.servers import free_port

MAIL_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert isinstance(part, EmailMessage)
        return str(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert isinstance(part, EmailMessage)
        return str(part.get_content())

    def links(self) -> list[str]:
        """The absolute links in the plain-text body (without trailing punctuation)."""
        return [link.rstrip(".,:;") for link in re.findall(r"https?://[^\s<>\"]+", self.text)]

    def link_to(self, path_prefix: str, base: str = "http://forum.test") -> str:
        """The one link to ``base`` whose path starts with ``path_prefix``."""
        (link,) = [link for link in self.links() if link.startswith(base + path_prefix)]
        return link


class SmtpSink:
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
    def received(self) -> list[ReceivedMail]:
        with self._lock:
            envelopes = list(self._envelopes)
        return [self._parse(envelope) for envelope in envelopes]

    def clear(self) -> None:
        with self._lock:
            self._envelopes.clear()

    def wait_for(self, count: int, timeout: float = MAIL_WAIT_SECONDS) -> list[ReceivedMail]:
        """The received messages once there are at least ``count``; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while len(self._envelopes) < count:
            assert time.monotonic() < deadline, f"expected {count} emails, got {self.received}"
            time.sleep(0.02)
        return self.received

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
    def _parse(envelope: Envelope) -> ReceivedMail:
        content = envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on a free 127.0.0.1 port that keeps what it receives."""
    sink = SmtpSink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()

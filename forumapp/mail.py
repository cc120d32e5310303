"""Outgoing email through Flask-Mailman's backends (console, smtp, file, locmem)."""

from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass

from flask import Flask
from flask_mailman import EmailMultiAlternatives

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """A rendered message with a plain-text body and an HTML alternative."""

    to: str
    subject: str
    text: str
    html: str


class MailDelivery:
    """Hands emails to the configured backend, on a background thread when ``MAIL_SEND_ASYNC``.

    Sending in the background keeps a request's duration independent of whether it sent
    mail, so forms that email only known addresses do not reveal them by timing.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app

    def send(self, email: Email) -> None:
        """Send ``email``; delivery failures are logged, never raised to the caller."""
        message = EmailMultiAlternatives(subject=email.subject, body=email.text, to=[email.to])
        message.attach_alternative(email.html, "text/html")
        if self._app.config["MAIL_SEND_ASYNC"]:
            threading.Thread(target=self._deliver, args=(message,), daemon=True).start()
        else:
            self._deliver(message)

    def _deliver(self, message: EmailMultiAlternatives) -> None:
        with self._app.app_context():
            try:
                message.send()
            except (OSError, smtplib.SMTPException):
                log.exception("Could not send email %r to %s", message.subject, message.to)

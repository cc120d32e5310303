"""Outgoing email through Flask-Mailman's backends (console, smtp, file, locmem).

A message that cannot be sent is logged with the reason and recorded in the
``mail_failures`` table, which every worker shares, so that the management dashboard
shows it: people waiting for an activation or reset email never learn that it failed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import Integer, String
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from forumapp.extensions import db, mail
from forumapp.sqltypes import UTCDateTime, utcnow

log = logging.getLogger(__name__)

RECIPIENT_MAX_LENGTH = 320
SUBJECT_MAX_LENGTH = 200
REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class Email:
    """A rendered message with a plain-text body and an HTML alternative."""

    to: str
    subject: str
    text: str
    html: str
    #: Extra header fields, such as ``List-Unsubscribe`` (RFC 2369 and 8058).
    headers: Mapping[str, str] = field(default_factory=dict)


class MailFailure(db.Model):  # type: ignore[name-defined,misc]
    """A message the mail backend refused or could not deliver, and why."""

    __tablename__ = "mail_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    recipient: Mapped[str] = mapped_column(String(RECIPIENT_MAX_LENGTH))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    reason: Mapped[str] = mapped_column(String(REASON_MAX_LENGTH))


def printable(text: str, limit: int) -> str:
    """``text`` with control characters written as escapes (a line break in a subject is
    often the very reason it failed), cut to ``limit`` characters."""
    shown = "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode()
        for char in text
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class MailDelivery:
    """Hands emails to the configured backend, on a background thread when ``MAIL_SEND_ASYNC``.

    Sending in the background keeps a request's duration independent of whether it sent
    mail, so forms that email only known addresses do not reveal them by timing.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app

    def send(self, email: Email) -> None:
        """Send ``email``; failures are logged and recorded, never raised to the caller."""
        message = EmailMultiAlternatives(
            subject=email.subject, body=email.text, to=[email.to], headers=dict(email.headers)
        )
        message.attach_alternative(email.html, "text/html")
        if self._app.config["MAIL_SEND_ASYNC"]:
            threading.Thread(target=self._deliver, args=(email, message), daemon=True).start()
        else:
            self._deliver(email, message)

    def _deliver(self, email: Email, message: EmailMultiAlternatives) -> None:
        with self._app.app_context():
            try:
                # A connection of our own, closed however sending ends: Flask-Mailman's
                # SMTP backend leaves its socket open when writing the message fails.
                with mail.get_connection() as connection:
                    connection.send_messages([message])
            # Whatever the backend raises (a refused connection, a header it will not
            # write): on a background thread an escaped exception would vanish from the
            # logs, and in a request it would fail a page whose work is already saved.
            except Exception as exc:
                reason = printable(f"{type(exc).__name__}: {exc}", REASON_MAX_LENGTH)
                self._record(email, reason)
                log.error(
                    "Could not send email %r to %s: %s",
                    email.subject,
                    email.to,
                    reason,
                    exc_info=exc,
                )

    def _record(self, email: Email, reason: str) -> None:
        # A session of its own: in synchronous mode the request's session is the caller's.
        try:
            with Session(db.engine) as session, session.begin():
                session.add(
                    MailFailure(
                        failed_at=utcnow(),
                        recipient=printable(email.to, RECIPIENT_MAX_LENGTH),
                        subject=printable(email.subject, SUBJECT_MAX_LENGTH),
                        reason=reason,
                    )
                )
        except SQLAlchemyError:
            log.exception("Could not record the failure to email %s", email.to)

"""Outgoing email through Flask-Mailman's backends (console, smtp, file, locmem).

Every email is sent by a background job (:mod:`forumapp.jobs.mail_job`). A message that
could not be sent after every attempt is logged with the reason and recorded in the
``mail_failures`` table, which every worker shares, so that the management dashboard
shows it: people waiting for an activation or reset email never learn that it failed.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ParamSpec, TypeVar

from flask import current_app
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import Integer, String
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from forumapp import settings
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


Arguments = ParamSpec("Arguments")
Result = TypeVar("Result")


def recipients_language(language: str | None) -> str:
    """The language an email to someone who prefers ``language`` is written in: theirs
    when the site offers it, else ``DEFAULT_LANGUAGE`` (never the language of whoever's
    request happens to send it)."""
    config = current_app.config
    offered = config.get("LANGUAGES", settings.LANGUAGES)
    return (
        language
        if language and language in offered
        else str(config.get("DEFAULT_LANGUAGE", settings.DEFAULT_LANGUAGE))
    )


def in_recipients_language(render: Callable[Arguments, Result]) -> Callable[Arguments, Result]:
    """Run a mailer's method, whose first argument is the recipient, in the recipient's
    ``language``: its subject, texts, dates and numbers, whether it runs in a request (in
    whatever language that page is) or in a background job (where there is none). A
    recipient without a preference (a host app's member) is written to in
    ``DEFAULT_LANGUAGE``."""
    signature = inspect.signature(render)
    # The first parameter is the mailer itself.
    recipient = list(signature.parameters)[1]

    @functools.wraps(render)
    def in_language(*args: Arguments.args, **kwargs: Arguments.kwargs) -> Result:
        to = signature.bind_partial(*args, **kwargs).arguments.get(recipient)
        with force_locale(recipients_language(getattr(to, "language", None))):
            return render(*args, **kwargs)

    return in_language


def printable(text: str, limit: int) -> str:
    """``text`` with control characters written as escapes (a line break in a subject is
    often the very reason it failed), cut to ``limit`` characters."""
    shown = "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode()
        for char in text
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def send_email(email: Email) -> None:
    """Hand ``email`` to the configured backend now; raises when it cannot be sent.

    Called by the mail job (:mod:`forumapp.jobs.mail_job`), which retries and records
    what never left.
    """
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, to=[email.to], headers=dict(email.headers)
    )
    message.attach_alternative(email.html, "text/html")
    # A connection of our own, closed however sending ends: Flask-Mailman's SMTP backend
    # leaves its socket open when writing the message fails.
    with mail.get_connection() as connection:
        connection.send_messages([message])


def record_mail_failure(email: Email, reason: str) -> None:
    """Record that ``email`` could not be sent, for the dashboard (in a session of its own:
    the caller's may be in the middle of anything)."""
    try:
        with Session(db.engine) as session, session.begin():
            session.add(
                MailFailure(
                    failed_at=utcnow(),
                    recipient=printable(email.to, RECIPIENT_MAX_LENGTH),
                    subject=printable(email.subject, SUBJECT_MAX_LENGTH),
                    reason=printable(reason, REASON_MAX_LENGTH),
                )
            )
    except SQLAlchemyError:
        log.exception("Could not record the failure to email %s", email.to)

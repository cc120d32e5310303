"""The job that sends one rendered email: what every account email goes through."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from forumapp.jobs.ports import JobKind
from forumapp.mail import Email, record_mail_failure, send_email

log = logging.getLogger(__name__)


def _email(payload: Mapping[str, Any]) -> Email:
    return Email(
        to=str(payload["to"]),
        subject=str(payload["subject"]),
        text=str(payload["text"]),
        html=str(payload["html"]),
        # Jobs enqueued before emails had headers carry none.
        headers={str(name): str(value) for name, value in payload.get("headers", {}).items()},
    )


def _send(payload: Mapping[str, Any]) -> None:
    send_email(_email(payload))


def _given_up(payload: Mapping[str, Any], reason: str) -> None:
    # The dashboard's mail failures count every email that never left, however it failed.
    email = _email(payload)
    record_mail_failure(email, reason)
    log.error("Could not send email %r to %s: %s", email.subject, email.to, reason)


#: Sends the email; after the last failed attempt, records it with the mail failures.
MAIL = JobKind(run=_send, given_up=_given_up)

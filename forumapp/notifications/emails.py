"""Notification emails, rendered from ``templates/email/notifications/`` in text and HTML,
each with a one-click unsubscribe link (RFC 8058) in its body and its headers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask import render_template
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from forumapp.mail import Email, in_recipients_language
from forumapp.notifications.inbox import describe
from forumapp.notifications.kinds import LABELS, EmailMode, Kind
from forumapp.notifications.models import Notification
from forumapp.notifications.tokens import UnsubscribeTokens


@dataclass(frozen=True)
class Recipient:
    """Whom a notification email goes to."""

    user_id: int
    username: str
    email: str
    #: Their language preference: the email is written in it.
    language: str = ""


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The header fields of a one-click unsubscribe (RFC 8058): a mail client POSTs
    ``List-Unsubscribe=One-Click`` to ``url``, with no login and no form."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class TemplateNotificationEmails:
    """Renders notification emails; ``link(endpoint, **values)`` builds absolute URLs."""

    def __init__(self, link: Callable[..., str], site_name: str, tokens: UnsubscribeTokens) -> None:
        self._link = link
        self._site_name = site_name
        self._tokens = tokens

    @in_recipients_language
    def single(self, recipient: Recipient, line: Notification) -> Email:
        """The email of one notification, sent as it happens."""
        kind = Kind(line.kind)
        return self._render(
            recipient,
            "single",
            describe(line),
            [kind],
            line=self._entry(line),
            kind_label=str(LABELS[kind]),
        )

    @in_recipients_language
    def digest(self, recipient: Recipient, lines: Sequence[Notification], mode: EmailMode) -> Email:
        """One email with the notifications of a day or a week."""
        kinds = sorted({Kind(line.kind) for line in lines})
        count = len(lines)
        if mode is EmailMode.DAILY:
            subject = ngettext(
                "Your day: %(num)s notification", "Your day: %(num)s notifications", count
            )
            heading = _("Your notifications of the past day:")
        else:
            subject = ngettext(
                "Your week: %(num)s notification", "Your week: %(num)s notifications", count
            )
            heading = _("Your notifications of the past week:")
        return self._render(
            recipient,
            "digest",
            subject,
            kinds,
            lines=[self._entry(line) for line in lines],
            period_heading=heading,
            kind_list=format_list(
                [str(LABELS[kind]) for kind in kinds], locale=get_locale() or "en"
            ),
        )

    def _entry(self, line: Notification) -> dict[str, str]:
        return {
            "text": describe(line),
            "url": self._link("notifications.open", notification_id=line.id),
        }

    def _render(
        self,
        recipient: Recipient,
        template: str,
        subject: str,
        kinds: Sequence[Kind],
        **context: Any,
    ) -> Email:
        token = self._tokens.make(recipient.user_id, kinds)
        unsubscribe = self._link("notifications.unsubscribe", token=token)
        context.update(
            user=recipient,
            site_name=self._site_name,
            unsubscribe_url=unsubscribe,
            settings_url=self._link("notifications.settings"),
        )
        name = f"email/notifications/{template}"
        return Email(
            to=recipient.email,
            subject=f"[{self._site_name}] {subject}",
            text=render_template(f"{name}.txt", **context),
            html=render_template(f"{name}.html", **context),
            headers=unsubscribe_headers(unsubscribe),
        )

"""The email about a new private message, rendered from ``templates/email/messages/``."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from flask_babel import gettext as _

from forumapp.mail import Email, in_recipients_language
from forumapp.messages.conversations import NewMessageNotice


class TemplateMessageMailer:
    """Renders the email in text and HTML and hands it to ``deliver``; ``link(endpoint,
    **values)`` builds its absolute URL. Implements
    :class:`forumapp.messages.conversations.MessageMailer`."""

    def __init__(
        self, deliver: Callable[[Email], None], link: Callable[..., str], site_name: str
    ) -> None:
        self._deliver = deliver
        self._link = link
        self._site_name = site_name

    @in_recipients_language
    def send_new_message(self, notice: NewMessageNotice) -> None:
        """Tell a participant that ``notice.sender`` wrote in a conversation."""
        context = {
            "notice": notice,
            "user": notice,
            "site_name": self._site_name,
            "conversation_link": self._link(
                "messages.conversation", conversation_id=notice.conversation_id
            ),
            "preferences_link": self._link("account.preferences"),
        }
        self._deliver(
            Email(
                to=notice.email,
                subject=f"[{self._site_name}] "
                + _(
                    "%(sender)s wrote to you: %(subject)s",
                    sender=notice.sender,
                    subject=notice.subject,
                ),
                text=render_template("forumapp/email/messages/new_message.txt", **context),
                html=render_template("forumapp/email/messages/new_message.html", **context),
            )
        )

"""The warning email, rendered from ``templates/email/moderation/`` in text and HTML."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from flask_babel import gettext as _

from forumapp.mail import Email, in_recipients_language
from forumapp.management.reports.desk import Warning


class TemplateWarningMailer:
    """Renders a moderator's warning and hands it to ``deliver``; ``guidelines_url`` is
    the absolute link to the forum (built from ``EXTERNAL_URL``)."""

    def __init__(
        self, deliver: Callable[[Email], None], site_name: str, guidelines_url: str
    ) -> None:
        self._deliver = deliver
        self._site_name = site_name
        self._guidelines_url = guidelines_url

    @in_recipients_language
    def send_warning(self, warning: Warning) -> None:
        """Email the member their warning."""
        context = {
            "user": warning,
            "warning": warning,
            "site_name": self._site_name,
            "link": self._guidelines_url,
        }
        self._deliver(
            Email(
                to=warning.email,
                subject=_("[%(site)s] A warning from the moderators", site=self._site_name),
                text=render_template("forumapp/email/moderation/warning.txt", **context),
                html=render_template("forumapp/email/moderation/warning.html", **context),
            )
        )

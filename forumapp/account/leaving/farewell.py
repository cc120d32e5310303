"""The goodbye email of a deleted account, rendered from ``templates/email/account/``.

Like the auth emails its templates are named ``forumapp/email/...``, so a host app's own
``email/layout.html`` does not replace forumapp's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template

from forumapp.account.leaving.deletion import Departing
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.mail import Email, in_recipients_language


class TemplateGoodbyeMailer:
    """Renders the email in text and HTML and hands it to ``deliver``; ``link(endpoint,
    **values)`` builds the absolute URLs it carries. Implements
    :class:`forumapp.account.leaving.deletion.GoodbyeMailer`."""

    def __init__(
        self, deliver: Callable[[Email], None], link: Callable[..., str], site_name: str
    ) -> None:
        self._deliver = deliver
        self._link = link
        self._site_name = site_name

    def _send(self, to: str, template: str, subject: str, **context: Any) -> None:
        context.update(site_name=self._site_name)
        self._deliver(
            Email(
                to=to,
                subject=f"[{self._site_name}] {subject}",
                text=render_template(f"forumapp/email/account/{template}.txt", **context),
                html=render_template(f"forumapp/email/account/{template}.html", **context),
            )
        )

    @in_recipients_language
    def send_goodbye(self, member: Departing, *, posts_removed: bool) -> None:
        """Tell the address of a deleted account what was deleted and what stays."""
        self._send(
            member.email,
            "goodbye",
            _l("Your account is deleted"),
            user=member,
            posts_removed=posts_removed,
            site_link=self._link("forum.index"),
        )

"""The account emails, rendered from ``templates/email/auth/`` in text and HTML.

They are named ``forumapp/email/...`` (see :data:`forumapp.auth.TEMPLATE_PREFIX`): an app
that mounts the auth blueprint may have an ``email/layout.html`` of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import render_template

from forumapp.auth.ports import AuthUser, Notice
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.mail import Email, in_recipients_language


class TemplateAccountMailer:
    """Renders each account email and hands it to ``deliver``.

    ``link(endpoint, **values)`` builds the absolute URLs the emails carry. Each email is
    written in its recipient's language (subjects given as lazy strings are translated
    there too).
    """

    def __init__(
        self,
        deliver: Callable[[Email], None],
        link: Callable[..., str],
        site_name: str,
    ) -> None:
        self._deliver = deliver
        self._link = link
        self._site_name = site_name

    @in_recipients_language
    def _send(self, user: AuthUser, template: str, subject: str, **context: Any) -> None:
        context.update(user=user, site_name=self._site_name)
        self._deliver(
            Email(
                to=user.email,
                subject=f"[{self._site_name}] {subject}",
                text=render_template(f"forumapp/email/auth/{template}.txt", **context),
                html=render_template(f"forumapp/email/auth/{template}.html", **context),
            )
        )

    def _notice(
        self, user: AuthUser, notice: Notice, template: str, subject: str, **context: Any
    ) -> None:
        """A security notice: what happened (the template), ``notice``'s when and from
        which browser, and a link to choose a new password if it was not the owner."""
        self._send(
            user,
            template,
            subject,
            notice=notice,
            reset_link=self._link("forgot_password"),
            **context,
        )

    def send_activation(self, user: AuthUser, token: str) -> None:
        self._send(
            user,
            "activate",
            _l("Activate your account"),
            link=self._link("autoactivate_account", token=token),
            manual_link=self._link("activate_account"),
            token=token,
        )

    def send_welcome(self, user: AuthUser) -> None:
        self._send(user, "welcome", _l("Welcome"), link=self._link("login"))

    def send_registration_attempt(self, user: AuthUser) -> None:
        self._send(
            user,
            "registration_attempt",
            _l("Someone tried to register with your address"),
            login_link=self._link("login"),
            reset_link=self._link("forgot_password"),
        )

    def send_password_reset(self, user: AuthUser, token: str) -> None:
        self._send(
            user,
            "reset_password",
            _l("Reset your password"),
            link=self._link("reset_password", token=token),
        )

    def send_password_changed(
        self, user: AuthUser, notice: Notice, revoked_tokens: Sequence[str] = ()
    ) -> None:
        self._notice(
            user,
            notice,
            "password_changed",
            _l("Your password was changed"),
            revoked_tokens=list(revoked_tokens),
        )

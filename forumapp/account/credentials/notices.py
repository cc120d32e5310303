"""The credentials emails, rendered from ``templates/email/account/`` in text and HTML.

Security notices say what happened, when, from which browser and network, and what to
do if it was not the owner. Like the auth emails they are found under ``forumapp/``, so
a host app's own ``email/layout.html`` does not replace forumapp's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import render_template

from forumapp.auth.ports import AuthUser, Notice
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.mail import Email, in_recipients_language


class TemplateSecurityNotices:
    """Renders each credentials email and hands it to ``deliver``.

    ``account_link(endpoint, **values)`` and ``auth_link(endpoint, **values)`` build the
    absolute URLs the emails carry into the account and the auth blueprint, wherever each
    is mounted.
    """

    def __init__(
        self,
        deliver: Callable[[Email], None],
        account_link: Callable[..., str],
        auth_link: Callable[..., str],
        site_name: str,
    ) -> None:
        self._deliver = deliver
        self._account_link = account_link
        self._auth_link = auth_link
        self._site_name = site_name

    def _send(self, to: str, user: AuthUser, template: str, subject: str, **context: Any) -> None:
        context.update(user=user, site_name=self._site_name)
        self._deliver(
            Email(
                to=to,
                subject=f"[{self._site_name}] {subject}",
                text=render_template(f"forumapp/email/account/{template}.txt", **context),
                html=render_template(f"forumapp/email/account/{template}.html", **context),
            )
        )

    @in_recipients_language
    def send_password_changed(
        self, user: AuthUser, notice: Notice, revoked_tokens: Sequence[str]
    ) -> None:
        self._send(
            user.email,
            user,
            "password_changed",
            _l("Your password was changed"),
            notice=notice,
            revoked_tokens=list(revoked_tokens),
            reset_link=self._auth_link("forgot_password"),
        )

    @in_recipients_language
    def send_email_confirmation(self, user: AuthUser, new_email: str, token: str) -> None:
        self._send(
            new_email,
            user,
            "confirm_email",
            _l("Confirm your new email address"),
            new_email=new_email,
            link=self._account_link("confirm_email", token=token),
        )

    @in_recipients_language
    def send_email_change_requested(
        self, user: AuthUser, new_email: str, cancel_token: str, notice: Notice
    ) -> None:
        self._send(
            user.email,
            user,
            "email_change_requested",
            _l("A change of your email address was requested"),
            notice=notice,
            new_email=new_email,
            cancel_link=self._account_link("cancel_email", token=cancel_token),
            reset_link=self._auth_link("forgot_password"),
        )

    @in_recipients_language
    def send_address_in_use(self, owner: AuthUser, notice: Notice) -> None:
        self._send(
            owner.email,
            owner,
            "address_in_use",
            _l("Someone tried to use your email address"),
            notice=notice,
            reset_link=self._auth_link("forgot_password"),
        )

    @in_recipients_language
    def send_email_changed(self, user: AuthUser, old_email: str, notice: Notice) -> None:
        self._send(
            old_email,
            user,
            "email_changed",
            _l("Your email address was changed"),
            notice=notice,
            old_email=old_email,
            reset_link=self._auth_link("forgot_password"),
        )

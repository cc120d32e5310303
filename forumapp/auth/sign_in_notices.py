"""The "new sign-in" notice, rendered like the other account emails."""

from __future__ import annotations

from forumapp.auth.emails import TemplateAccountMailer
from forumapp.auth.ports import AuthUser, Notice
from forumapp.lazy_text import lazy_gettext as _l


class TemplateSignInNotices(TemplateAccountMailer):
    """Emails the owner of an account about a login from a new device (implements
    :class:`forumapp.auth.ports.SignInNotices`).

    forumapp's members turn it off on ``/settings/preferences`` (``notify_new_sign_in``).
    An account that never logged in before gets none: its first login is not news. The
    accounts of a host app's own user model, without those fields, always get it.
    """

    def wanted(self, user: AuthUser) -> bool:
        """Whether ``user`` wants the notice, from fields the loaded account holds."""
        opted_in = bool(getattr(user, "notify_new_sign_in", True))
        return opted_in and getattr(user, "last_login", True) is not None

    def send_new_device(self, user: AuthUser, notice: Notice) -> None:
        """Say that someone logged in from a browser new to the account."""
        self._notice(user, notice, "new_sign_in", _l("New login to your account"))

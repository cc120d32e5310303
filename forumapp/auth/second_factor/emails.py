"""The second-factor notices, rendered like the other account emails."""

from __future__ import annotations

from forumapp.auth.emails import TemplateAccountMailer
from forumapp.auth.ports import AuthUser, Notice
from forumapp.lazy_text import lazy_gettext as _l


class TemplateSecondFactorMailer(TemplateAccountMailer):
    """Tells an account's owner when its second factor was turned on or off, or stood in for."""

    def send_two_factor_enabled(self, user: AuthUser, notice: Notice) -> None:
        """Say that an authenticator app now guards the account."""
        self._notice(user, notice, "two_factor_enabled", _l("Two-factor login was turned on"))

    def send_two_factor_disabled(self, user: AuthUser, notice: Notice) -> None:
        """Say that the password alone opens the account now."""
        self._notice(user, notice, "two_factor_disabled", _l("Two-factor login was turned off"))

    def send_authenticator_removed(self, user: AuthUser, notice: Notice) -> None:
        """Say that the app is off, and that the account's passkeys still guard it."""
        self._notice(
            user, notice, "authenticator_removed", _l("Your authenticator app was removed")
        )

    def send_recovery_code_used(self, user: AuthUser, notice: Notice, codes_left: int) -> None:
        """Say that a recovery code stood in for the app, and how many are left."""
        self._notice(
            user,
            notice,
            "recovery_code_used",
            _l("A recovery code was used"),
            codes_left=codes_left,
        )

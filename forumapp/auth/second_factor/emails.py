"""The second-factor notices, rendered like the other account emails."""

from __future__ import annotations

from forumapp.auth.emails import TemplateAccountMailer
from forumapp.auth.ports import AuthUser


class TemplateSecondFactorMailer(TemplateAccountMailer):
    """Tells an account's owner when its second factor was turned off or stood in for."""

    def send_two_factor_disabled(self, user: AuthUser) -> None:
        self._send(
            user,
            "two_factor_disabled",
            "Two-factor login was turned off",
            reset_link=self._link("forgot_password"),
        )

    def send_recovery_code_used(self, user: AuthUser, codes_left: int) -> None:
        self._send(
            user,
            "recovery_code_used",
            "A recovery code was used",
            reset_link=self._link("forgot_password"),
            codes_left=codes_left,
        )

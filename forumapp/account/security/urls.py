"""The URL rules of the security pages, for the account blueprint."""

from __future__ import annotations

from collections.abc import Callable

from flask.typing import RouteCallable

from forumapp.account.security import views
from forumapp.account.security.services import SecurityReport
from forumapp.auth.second_factor.service import TwoFactorService


def rules(
    security_report: Callable[[], SecurityReport], two_factor: Callable[[], TwoFactorService]
) -> list[tuple[str, RouteCallable]]:
    """``/security`` and the pages below it that change the second factor."""
    return [
        (
            "/security",
            views.Security.as_view("security", security_report_factory=security_report),
        ),
        (
            "/security/authenticator",
            views.EnrolAuthenticator.as_view("enrol_authenticator", two_factor_factory=two_factor),
        ),
        (
            "/security/recovery-codes",
            views.RecoveryCodes.as_view("recovery_codes", two_factor_factory=two_factor),
        ),
        (
            "/security/two-factor/disable",
            views.DisableTwoFactor.as_view("disable_two_factor", two_factor_factory=two_factor),
        ),
    ]

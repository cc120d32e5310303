"""The URL rules of the security pages, for the account blueprint."""

from __future__ import annotations

from collections.abc import Callable

from flask.typing import RouteCallable

from forumapp.account.security import passkey_views, views
from forumapp.account.security.services import SecurityReport
from forumapp.auth.passkeys.service import PasskeyService
from forumapp.auth.second_factor.service import TwoFactorService


def rules(
    security_report: Callable[[], SecurityReport],
    two_factor: Callable[[], TwoFactorService],
    passkeys: Callable[[], PasskeyService],
) -> list[tuple[str, RouteCallable]]:
    """``/security`` and the pages below it that change the second factor."""
    return [
        *passkey_rules(security_report, passkeys),
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


def passkey_rules(
    security_report: Callable[[], SecurityReport], passkeys: Callable[[], PasskeyService]
) -> list[tuple[str, RouteCallable]]:
    """The passkey pages below ``/security/passkeys``."""
    own = {"passkey_factory": passkeys}
    return [
        (
            "/security/passkeys/options",
            passkey_views.PasskeyOptions.as_view("passkey_options", **own),
        ),
        (
            "/security/passkeys",
            passkey_views.AddPasskey.as_view(
                "add_passkey", security_report_factory=security_report, **own
            ),
        ),
        (
            "/security/passkeys/<id:passkey_id>/rename",
            passkey_views.RenamePasskey.as_view("rename_passkey", **own),
        ),
        (
            "/security/passkeys/<id:passkey_id>/remove",
            passkey_views.RemovePasskey.as_view("remove_passkey", **own),
        ),
    ]

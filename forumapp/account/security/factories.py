"""Wiring of the security page's services."""

from __future__ import annotations

from forumapp.account.security.services import SecurityReport
from forumapp.auth.passkeys.factories import passkey_service
from forumapp.auth.second_factor.factories import login_history, two_factor_service


def security_report_factory() -> SecurityReport:
    """The overview over forumapp's two-factor and login history tables."""
    return SecurityReport(two_factor_service(), login_history(), passkey_service())

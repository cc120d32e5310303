"""Staff enrol a second factor before they use the panel, when the site requires it
(``TWO_FACTOR_REQUIRED_FOR_STAFF``): an admin's stolen password must not open it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from flask import abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.auth.ports import AuthUser

#: Where a staff member without a second factor is sent (the account blueprint's page).
ENROLMENT_ENDPOINT = "account.enrol_authenticator"


class SecondFactorCheck(Protocol):
    """Tells whether an account has a second factor."""

    def enabled_for(self, user: AuthUser) -> bool: ...


class StaffSecondFactor:
    """A ``before_request`` hook of the panel: admins and moderators without a second
    factor go to its enrolment first (a 403 where the app has no enrolment page)."""

    def __init__(self, second_factor_factory: Callable[[], SecondFactorCheck]) -> None:
        self._second_factor_factory = second_factor_factory

    def __call__(self) -> ResponseReturnValue | None:
        """``None`` lets the request through; otherwise the answer that sends it away."""
        if not current_app.config.get("TWO_FACTOR_REQUIRED_FOR_STAFF"):
            return None
        # Anonymous visitors and members meet the panel's own checks (login, 403).
        if not current_user.is_authenticated or not _is_staff():
            return None
        user = cast(AuthUser, current_user._get_current_object())
        if self._second_factor_factory().enabled_for(user):
            return None
        if ENROLMENT_ENDPOINT not in current_app.view_functions:
            abort(403, description=_("Staff need two-factor login to use the management panel."))
        flash(
            _("Staff need two-factor login: set up an authenticator app to open the panel."), "info"
        )
        return redirect(url_for(ENROLMENT_ENDPOINT))


def _is_staff() -> bool:
    group = current_user.group
    return bool(group.admin or group.super_mod or group.mod)

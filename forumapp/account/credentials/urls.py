"""The URL rules and settings of the password, email address and sessions pages."""

from __future__ import annotations

from flask.typing import RouteCallable

from forumapp.account.credentials import views as views
from forumapp.account.factories import AccountFactories


def credential_rules(f: AccountFactories) -> list[tuple[str, RouteCallable]]:
    """``(rule, view)`` pairs, in the order of the settings menu."""
    email = {"email_changer_factory": f.email_changer}
    sessions = {"session_manager_factory": f.session_manager}
    return [
        (
            "/password",
            views.ChangePassword.as_view("password", password_changer_factory=f.password_changer),
        ),
        ("/email", views.ChangeEmail.as_view("email", **email)),
        ("/email/confirm/<token>", views.ConfirmEmail.as_view("confirm_email", **email)),
        ("/email/cancel/<token>", views.CancelEmailChange.as_view("cancel_email", **email)),
        ("/sessions", views.Sessions.as_view("sessions", **sessions)),
        ("/sessions/<id:session_id>/end", views.EndSession.as_view("end_session", **sessions)),
        (
            "/sessions/end-others",
            views.EndOtherSessions.as_view("end_other_sessions", **sessions),
        ),
    ]

"""Rate limits of the account pages, read from configuration at request time.

Guesses of the current password on the password page share the budgets of the reauth
form (``forumapp.auth.limits``): both forms check the same secret, so one budget bounds
the guesses whichever form they come through.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forumapp.extensions import limiter
from forumapp.lazy_text import lazy_gettext as _l


def _member_key() -> str:
    # Every session of one member shares the budget; the address is a fallback for a
    # request the login check is about to turn away.
    if current_user.is_authenticated:
        return f"account-id:{current_user.id}"
    return "client:" + get_remote_address()


email_change_per_member = limiter.limit(
    lambda: str(current_app.config["ACCOUNT_EMAIL_CHANGE_LIMIT"]),
    key_func=_member_key,
    methods=["POST"],
    scope="account-email-change",
)


#: Avatar uploads and removals together: each one decodes a picture or deletes files.
avatar_changes_per_member = limiter.shared_limit(
    lambda: str(current_app.config["AVATAR_CHANGE_LIMIT"]),
    "avatar-changes",
    key_func=_member_key,
    methods=["POST"],
    error_message=_l("You have changed your avatar many times in a short time. Try again later."),
)


#: ``ACCOUNT_SETTINGS_LIMIT`` saves per member, shared by the profile and preferences pages:
#: each renders Markdown or rewrites the member row, whichever worker or page it goes through.
settings_saves_per_member = limiter.shared_limit(
    lambda: str(current_app.config["ACCOUNT_SETTINGS_LIMIT"]),
    scope="account-settings",
    key_func=_member_key,
    methods=["POST"],
    error_message=_l("You have saved your settings many times in a short while. Try again later."),
)

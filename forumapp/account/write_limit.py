"""The budget of settings saves per member, shared by the profile and preferences pages.

Each save renders Markdown or rewrites the member row; one budget per member (not per
address, not per page) bounds both, whichever worker or page the saves go through.
"""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from forumapp.extensions import limiter


def _member_key() -> str:
    # Only reached behind login_required: there is a member.
    return f"member:{current_user.id}"


#: ``ACCOUNT_SETTINGS_LIMIT`` POSTs per member across the pages that use it.
settings_saves_per_member = limiter.shared_limit(
    lambda: str(current_app.config["ACCOUNT_SETTINGS_LIMIT"]),
    scope="account-settings",
    key_func=_member_key,
    methods=["POST"],
    error_message="You have saved your settings many times in a short while. Try again later.",
)

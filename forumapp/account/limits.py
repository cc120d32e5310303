"""Rate limits of the account pages, read from configuration at request time."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from forumapp.extensions import limiter


def _member_key() -> str:
    # Only reached behind login_required: the account, whichever session it uses.
    return f"member:{current_user.id}"


#: Avatar uploads and removals together: each one decodes a picture or deletes files.
avatar_changes_per_member = limiter.shared_limit(
    lambda: str(current_app.config["AVATAR_CHANGE_LIMIT"]),
    "avatar-changes",
    key_func=_member_key,
    methods=["POST"],
    error_message="You have changed your avatar many times in a short time. Try again later.",
)

"""Flood control for posting, keyed by member."""

from __future__ import annotations

from flask import Response, current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forumapp.extensions import limiter

FLOOD_MESSAGE = "You are posting too quickly. Wait a minute, then send your message again."


def _member_key() -> str:
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"client:{get_remote_address()}"


def _posted(response: Response) -> bool:
    # Only messages that were saved count; previews and form errors re-render (200).
    return response.status_code == 302


posting_per_member = limiter.limit(
    lambda: str(current_app.config["FORUM_POST_LIMIT"]),
    key_func=_member_key,
    methods=["POST"],
    deduct_when=_posted,
    error_message=FLOOD_MESSAGE,
)


def _rendered_again(response: Response) -> bool:
    # Previews and forms with errors: each renders Markdown, so they are bounded too.
    return response.status_code == 200


previews_per_member = limiter.limit(
    lambda: str(current_app.config["FORUM_PREVIEW_LIMIT"]),
    key_func=_member_key,
    methods=["POST"],
    deduct_when=_rendered_again,
    error_message="You have previewed a lot in a short time. Wait a minute, then try again.",
)


reports_per_member = limiter.limit(
    lambda: str(current_app.config["FORUM_REPORT_LIMIT"]),
    key_func=_member_key,
    methods=["POST"],
    error_message="You have sent many reports in a short time. The moderators will get to them.",
)

"""The request hook that notes who is online (see :mod:`forumapp.forum.presence`)."""

from __future__ import annotations

from flask import Response, current_app, g, request

from forumapp.extensions import db
from forumapp.forum.factories import presence_factory
from forumapp.forum.presence import OnlineMember
from forumapp.http import client_address
from forumapp.persistence import best_effort


def record_presence(response: Response) -> Response:
    """Note who made this request, in memory; now and then the pending times are
    written in one statement (a failure is logged, not raised)."""
    # Flask-Login keeps the request's user here once something asked for it (every
    # page does). Requests that never did (static files, the API's token calls) are
    # not counted, and cost no query to find out who made them.
    user = g.get("_login_user")
    if user is None or request.endpoint is None:
        return response
    presence = presence_factory()
    if user.is_authenticated:
        avatar_key = getattr(user, "avatar_key", None)  # a host app's users may have none
        presence.member_seen(OnlineMember(user.id, user.username, avatar_key), client_address())
    else:
        presence.guest_seen(client_address())
    if presence.due():
        wait_ms = current_app.config["PAGE_WRITE_WAIT_MS"]
        with best_effort(db.session, wait_ms, "writing who is online"):
            presence.flush(db.session)
    return response

"""Reading across forums: ``/unread``, ``/new`` and the member list ``/members``.

Mount it with forumapp's own services, or with factories of your own::

    app.register_blueprint(create_reading_blueprint())
    app.register_blueprint(create_reading_blueprint(my_factories))
"""

from __future__ import annotations

from flask import Blueprint

from forumapp.i18n.hosts import speak_without_babel
from forumapp.reading.factories import ReadingFactories, default_factories
from forumapp.reading.pages import MemberPage, MembersOnlyPage, ReadingPages
from forumapp.views import PageView

__all__ = ["ReadingFactories", "create_reading_blueprint", "default_factories"]


def create_reading_blueprint(factories: ReadingFactories | None = None) -> Blueprint:
    """Build the reading blueprint (``/unread``, ``/new``, ``/members``) with
    ``factories`` (forumapp's own when omitted)."""
    pages = ReadingPages(factories or default_factories())
    bp = Blueprint("reading", __name__)
    bp.record_once(speak_without_babel)
    bp.add_url_rule(
        "/unread",
        view_func=MembersOnlyPage.as_view(
            "unread", template="reading/unread.html", loader=pages.unread
        ),
    )
    bp.add_url_rule(
        "/new", view_func=PageView.as_view("new", template="reading/new.html", loader=pages.new)
    )
    bp.add_url_rule(
        "/members",
        view_func=MemberPage.as_view(
            "members", template="reading/members.html", loader=pages.members
        ),
    )
    return bp

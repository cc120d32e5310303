"""``/avatars/<user_id>/<initials>.svg``: the picture of a member without an avatar.

Its URL holds everything it shows, so it is cached for a year like stored files.
"""

from __future__ import annotations

from flask import Response, abort
from flask.views import MethodView

from forumapp.avatars.fallback import INITIALS, initials_svg
from forumapp.storage import IMMUTABLE


class InitialsAvatar(MethodView):
    """The initials SVG of one member."""

    init_every_request = False

    def get(self, user_id: int, initials: str) -> Response:
        """The SVG, or a 404 for anything but one or two capitals or digits."""
        if not INITIALS.fullmatch(initials):
            abort(404)
        response = Response(initials_svg(user_id, initials), mimetype="image/svg+xml")
        response.headers["Cache-Control"] = IMMUTABLE
        # An SVG opened on its own is a document: it may not run or load anything.
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

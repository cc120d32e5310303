"""Avatars: every member has a picture, their own upload or their initials.

:func:`create_avatars_blueprint` serves the initials pictures and stored files and gives
templates ``avatar_url``; the upload page is the account blueprint's
(:mod:`forumapp.account.avatar.views`), over :class:`~forumapp.avatars.service.AvatarService`.
"""

from __future__ import annotations

from flask import Blueprint

from forumapp.avatars.links import avatar_url
from forumapp.avatars.views import InitialsAvatar

__all__ = ["create_avatars_blueprint"]


def create_avatars_blueprint() -> Blueprint:
    """Build the ``avatars`` blueprint: ``/avatars/<user_id>/<initials>.svg`` and the
    ``avatar_url`` template global."""
    blueprint = Blueprint("avatars", __name__, url_prefix="/avatars")
    blueprint.add_url_rule(
        "/<int:user_id>/<initials>.svg", view_func=InitialsAvatar.as_view("initials")
    )
    blueprint.add_app_template_global(avatar_url)
    return blueprint

"""``/settings/avatar``: upload a picture as one's avatar, or remove it.

The views only move the upload's stream to :class:`~forumapp.avatars.service.AvatarService`
and turn its answer into a page; decoding, checking and storing are the service's.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.account.avatar.forms import AvatarForm, RemoveAvatarForm
from forumapp.account.limits import avatar_changes_per_member
from forumapp.auth.decorators import login_required
from forumapp.avatars.errors import InvalidImage
from forumapp.avatars.service import AvatarService

AvatarServiceFactory = Callable[[], AvatarService]


class AvatarView(MethodView):
    """A view of the member's own avatar, over the injected :class:`AvatarService`."""

    # login_required comes last, so it runs first: the limit counts members, not guests.
    decorators = [avatar_changes_per_member, login_required]
    init_every_request = False

    def __init__(self, avatar_service: AvatarServiceFactory) -> None:
        self.avatar_service = avatar_service


class AvatarPage(AvatarView):
    """The member's avatar and the form that replaces it."""

    def get(self) -> ResponseReturnValue:
        """The current picture, the upload form and the remove button."""
        return _render(AvatarForm())

    def post(self) -> ResponseReturnValue:
        """Make the uploaded picture the member's avatar, or show why not."""
        form = AvatarForm()
        if not form.validate_on_submit():
            return _render(form), 400
        try:
            self.avatar_service().replace(current_user.id, form.image.data.stream)
        except InvalidImage as exc:
            form.add_errors([("image", exc.reason)])
            return _render(form), 400
        flash(_("Your new avatar is in place."), "success")
        return redirect(url_for(".avatar"))


class RemoveAvatar(AvatarView):
    """Go back to the initials picture."""

    def post(self) -> ResponseReturnValue:
        """Remove the member's avatar."""
        if not RemoveAvatarForm().validate_on_submit():
            abort(400)
        self.avatar_service().remove(current_user.id)
        flash(_("Your avatar is removed: your initials stand in for it."), "success")
        return redirect(url_for(".avatar"))


def _render(form: AvatarForm) -> str:
    return render_template(
        "account/avatar.html",
        form=form,
        max_bytes=current_app.config["AVATAR_MAX_BYTES"],
        max_side=current_app.config["AVATAR_MAX_SIDE"],
    )

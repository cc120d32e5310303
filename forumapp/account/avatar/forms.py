"""The forms of the avatar page: an upload, and the "Remove avatar" button."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired

from forumapp.forms import ForumForm
from forumapp.lazy_text import lazy_gettext as _l

#: What the file picker offers; the picture itself decides (``forumapp.avatars.images``).
ACCEPTED_TYPES = "image/png,image/jpeg,image/webp,image/gif"


class AvatarForm(ForumForm):
    """A picture to become the member's avatar."""

    image = FileField(
        _l("Picture"),
        validators=[FileRequired(_l("Choose a picture to upload."))],
        render_kw={"accept": ACCEPTED_TYPES},
    )


class RemoveAvatarForm(ForumForm):
    """The "Remove avatar" button: a CSRF token and nothing else."""

"""Avatar URLs for templates, built from columns the page already loaded: the member's
id, name and ``avatar_key``, no query of their own."""

from __future__ import annotations

from flask import url_for

from forumapp.avatars.fallback import initials_of
from forumapp.avatars.service import file_name
from forumapp.storage.views import stored_file_url


def avatar_url(user_id: int | None, name: str, key: str | None, size: int) -> str:
    """The member's avatar of ``size`` pixels, or their initials picture when they have
    none (or the account is gone: ``user_id`` ``None``)."""
    if user_id is not None and key:
        return stored_file_url(file_name(user_id, key, size))
    return url_for("avatars.initials", user_id=user_id or 0, initials=initials_of(name))

"""Where uploaded files live: a folder in the instance folder, or an S3-compatible bucket.

Both keep files under names the app chooses (content-hashed, so a name never changes
meaning) and answer for them with a long-lived URL. :func:`open_storage` builds the one
``STORAGE_URL`` names; views reach it through :func:`storage`.
"""

from __future__ import annotations

import re
from typing import IO, Protocol

from flask import current_app

#: ``app.extensions`` key of the app's :class:`Storage`.
STORAGE = "forumapp.storage"

#: What a stored file's name may look like: lower-case path segments, no ``..``, no
#: leading slash, so that no name reaches outside the folder or the bucket's prefix.
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_.-]*)*")

#: Stored files are never rewritten under the same name: caches may keep them for good.
IMMUTABLE = "public, max-age=31536000, immutable"


class Storage(Protocol):
    """Files under names the app chooses; each name holds one content for its whole life."""

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``name``, served as ``content_type``."""

    def delete(self, name: str) -> None:
        """Forget ``name``; a name that is not stored is no error."""

    def open(self, name: str) -> IO[bytes]:
        """Read back ``name``; :class:`FileNotFoundError` if it is not stored."""

    def public_url(self, name: str) -> str | None:
        """Where browsers fetch ``name`` directly, or ``None`` when the app serves it."""


def check_name(name: str) -> str:
    """``name`` if it is a valid stored-file name; :class:`ValueError` otherwise."""
    if not _NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"{name!r} is not a stored-file name")
    return name


def storage() -> Storage:
    """The current app's storage."""
    found: Storage = current_app.extensions[STORAGE]
    return found

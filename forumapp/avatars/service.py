"""Members' avatars: replacing and removing them, files and database row together.

A member's avatar is a few thumbnails in the storage, named by the member's id and a hash
of their content (:func:`file_name`), and that hash on the member's row
(``users.avatar_key``), from which every page builds the URLs without another query.
New files are written before the row points at them, and old ones deleted only after it
no longer does: a page never links to a missing file.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import IO, Protocol

from forumapp.avatars.errors import ImageLimits
from forumapp.persistence import Transaction, atomic
from forumapp.storage import Storage

log = logging.getLogger(__name__)

#: The sizes, in pixels, the pages show (each also serves twice a smaller one).
SIZES = (32, 64, 128)
#: Hex digits of the content hash kept on the member's row.
KEY_LENGTH = 32
#: What a thumbnail is served as (forumapp.avatars.images encodes WebP).
CONTENT_TYPE = "image/webp"
EXTENSION = "webp"


def file_name(user_id: int, key: str, size: int) -> str:
    """The stored name of member ``user_id``'s thumbnail of ``size`` pixels."""
    return f"avatars/{user_id}/{key}-{size}.{EXTENSION}"


class AvatarKeys(Protocol):
    """Where each member's avatar key is kept."""

    def key_of(self, user_id: int) -> str | None:
        """The member's key (``None``: no avatar); :class:`NotFound` for no such member."""

    def set_key(self, user_id: int, key: str | None) -> None:
        """Point the member's row at ``key`` (``None``: no avatar)."""


@dataclass(frozen=True)
class AvatarSettings:
    """What uploads may be, and the sizes made of them."""

    limits: ImageLimits
    sizes: tuple[int, ...] = SIZES


class AvatarService:
    """Replaces and removes members' avatars."""

    def __init__(
        self,
        keys: AvatarKeys,
        storage: Storage,
        transaction: Transaction,
        settings: AvatarSettings,
    ) -> None:
        self._keys = keys
        self._storage = storage
        self._transaction = transaction
        self._settings = settings

    def replace(self, user_id: int, upload: IO[bytes]) -> str:
        """Make ``upload`` member ``user_id``'s avatar and return its key; raises
        :class:`~forumapp.avatars.errors.InvalidImage` (nothing changes then)."""
        # Pillow loads with the first upload: workers that only serve pages never need
        # it (issue 7: worker memory; tests/functional/test_lazy_imports.py).
        from forumapp.avatars.images import thumbnails

        # One byte past the limit is enough to know the file is too large.
        data = upload.read(self._settings.limits.max_bytes + 1)
        files = thumbnails(data, self._settings.sizes, self._settings.limits)
        key = hashlib.sha256(b"".join(files[size] for size in sorted(files))).hexdigest()
        key = key[:KEY_LENGTH]
        old = self._keys.key_of(user_id)
        if old == key:
            return key
        for size, content in files.items():
            self._storage.put(file_name(user_id, key, size), content, CONTENT_TYPE)
        try:
            with atomic(self._transaction):
                self._keys.set_key(user_id, key)
        except BaseException:
            self._delete(user_id, key)
            raise
        self._delete(user_id, old)
        return key

    def remove(self, user_id: int) -> None:
        """Remove member ``user_id``'s avatar, if any: the fallback picture shows again."""
        old = self._keys.key_of(user_id)
        if old is None:
            return
        with atomic(self._transaction):
            self._keys.set_key(user_id, None)
        self._delete(user_id, old)

    def _delete(self, user_id: int, key: str | None) -> None:
        if key is None:
            return
        for size in self._settings.sizes:
            try:
                self._storage.delete(file_name(user_id, key, size))
            except OSError:
                # The row no longer names the file, so no page links to it: a leftover
                # costs disk space only, not worth failing the member's request over.
                log.warning("could not delete an old avatar file of member %s", user_id)

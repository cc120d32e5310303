"""Stored files in a folder on the local disk (the instance folder by default)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from forumapp.storage import check_name


class LocalStorage:
    """Files in ``root``; the app serves them itself (``forumapp.storage.views``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Write ``data`` to a temporary file and move it into place, so that a reader
        never sees half a file."""
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def delete(self, name: str) -> None:
        """Remove the file if it is there."""
        self._path(name).unlink(missing_ok=True)

    def open(self, name: str) -> IO[bytes]:
        """The file, open for reading."""
        return self._path(name).open("rb")

    def public_url(self, name: str) -> str | None:
        """``None``: only the app can reach this folder."""
        return None

    def _path(self, name: str) -> Path:
        return self.root / check_name(name)

"""In-memory stand-ins for the avatar service's collaborators."""

from __future__ import annotations

import io
from typing import IO

from forumapp.forum.errors import NotFound


class MemoryStorage:
    """A :class:`~forumapp.storage.Storage` in a dict; ``fail_deletes`` makes deletes fail."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.fail_deletes = False

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self.files[name] = (data, content_type)

    def delete(self, name: str) -> None:
        if self.fail_deletes:
            raise OSError("disk went away")
        self.files.pop(name, None)

    def open(self, name: str) -> IO[bytes]:
        if name not in self.files:
            raise FileNotFoundError(name)
        return io.BytesIO(self.files[name][0])

    def public_url(self, name: str) -> str | None:
        return None


class MemoryAvatarKeys:
    """Avatar keys of members ``1`` and ``2``, in a dict."""

    def __init__(self) -> None:
        self.keys: dict[int, str | None] = {1: None, 2: None}

    def key_of(self, user_id: int) -> str | None:
        if user_id not in self.keys:
            raise NotFound
        return self.keys[user_id]

    def set_key(self, user_id: int, key: str | None) -> None:
        self.keys[user_id] = key


class CountingTransaction:
    """Counts commits and rollbacks; ``fail_commit`` makes the next commit fail."""

    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0
        self.fail_commit = False

    def commit(self) -> None:
        if self.fail_commit:
            raise RuntimeError("the database went away")
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1

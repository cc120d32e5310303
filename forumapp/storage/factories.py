"""Building the storage ``STORAGE_URL`` names, once per app."""

from __future__ import annotations

from flask import Flask

from forumapp.storage import STORAGE, Storage
from forumapp.storage.local import LocalStorage
from forumapp.storage.urls import is_s3, local_folder, parse_s3_url


def open_storage(url: str | None, instance_path: str) -> Storage:
    """The storage ``url`` names (see :mod:`forumapp.storage.urls`)."""
    if url and is_s3(url):
        from forumapp.storage.s3 import open_s3_storage  # boto3 is an optional extra

        return open_s3_storage(parse_s3_url(url))
    return LocalStorage(local_folder(url, instance_path))


def install_storage(app: Flask) -> None:
    """Give ``app`` the storage of its ``STORAGE_URL``, unless it was given one already."""
    if STORAGE not in app.extensions:
        app.extensions[STORAGE] = open_storage(app.config["STORAGE_URL"], app.instance_path)

"""``/media/<name>``: stored files, for storages browsers cannot reach directly.

Names are content-hashed, so a response may be cached for a year and never revalidated.
A storage with public URLs (a bucket) is answered with a redirect to the object.
"""

from __future__ import annotations

from collections.abc import Callable
from mimetypes import guess_type

from flask import Blueprint, Response, abort, redirect, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from forumapp.storage import IMMUTABLE, Storage, check_name, storage

StorageFactory = Callable[[], Storage]


class StoredFile(MethodView):
    """One stored file, with year-long, immutable caching."""

    init_every_request = False

    def __init__(self, storage_factory: StorageFactory) -> None:
        self.storage_factory = storage_factory

    def get(self, name: str) -> ResponseReturnValue:
        """Send the file, or redirect to where the storage publishes it."""
        try:
            check_name(name)
        except ValueError:
            abort(404)
        files = self.storage_factory()
        public = files.public_url(name)
        if public is not None:
            response = redirect(public, 301)
        else:
            try:
                # Stored files are small thumbnails: read whole, the file is closed at once.
                with files.open(name) as content:
                    data = content.read()
            except FileNotFoundError:
                abort(404)
            response = Response(data, mimetype=guess_type(name)[0] or "application/octet-stream")
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def create_media_blueprint(storage_factory: StorageFactory = storage) -> Blueprint:
    """Build the ``media`` blueprint serving ``/media/<name>``."""
    blueprint = Blueprint("media", __name__, url_prefix="/media")
    blueprint.add_url_rule(
        "/<path:name>", view_func=StoredFile.as_view("file", storage_factory=storage_factory)
    )
    return blueprint


def stored_file_url(name: str) -> str:
    """Where browsers fetch the stored file ``name``: the storage's own address, or ours."""
    return storage().public_url(name) or url_for("media.file", name=name)

"""Request bodies held to ``MAX_CONTENT_LENGTH`` whatever their transfer encoding.

Werkzeug refuses a ``Content-Length`` over the limit, but reads a body of unknown length
(``Transfer-Encoding: chunked`` through gunicorn or Werkzeug's server) only up to the limit
and parses what it got: 10 MB became the first 1 MiB of a form, processed as if complete.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from flask import Flask, abort, request

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class BoundedBodies:
    """WSGI middleware giving every body of unknown length a ``Content-Length``.

    It reads such a body up to one byte past ``limit``: a body that fits is handed on with
    its length, one that does not gets ``limit + 1`` as its length, which the app then
    refuses with its own 413 page before it reads anything.
    """

    def __init__(self, app: WSGIApplication, flask_app: Flask) -> None:
        self.app = app
        self.flask_app = flask_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        limit: int | None = self.flask_app.config["MAX_CONTENT_LENGTH"]
        # The condition under which Werkzeug trusts the server to end the stream, and so
        # reads it without a length: only then is reading it here safe too.
        unknown_length = not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")
        if limit is not None and unknown_length:
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            # What the app reads now is that many bytes, no longer chunks; Werkzeug ignores
            # the length of a request that still says it is chunked.
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def _read_at_most(stream: IO[bytes], size: int) -> bytes:
    # A WSGI input stream may return less than asked for before its end.
    parts: list[bytes] = []
    left = size
    while left > 0 and (part := stream.read(left)):
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def refuse_oversized_body() -> None:
    """Refuse a request whose body is over the limit before any view runs, whether or not
    it would have read the body."""
    length = request.content_length
    limit = request.max_content_length
    if length is not None and limit is not None and length > limit:
        abort(413)


def install(app: Flask) -> None:
    """Wrap ``app`` in :class:`BoundedBodies` and refuse oversized bodies up front."""
    app.wsgi_app = BoundedBodies(app.wsgi_app, app)  # type: ignore[method-assign]
    app.before_request(refuse_oversized_body)

"""Compressed text responses (zstd, Brotli, gzip) from the built-in server, through
Flask-Compress; its own ``COMPRESS_*`` settings apply (``COMPRESS_REGISTER = False``
turns it off, for a proxy that compresses instead).

BREACH: an attacker who can reflect text into a compressed page and watch its size can
read a secret on that page, byte by byte, over thousands of responses. Pages whose
secret stays the same from one response to the next are those marked
``Cache-Control: no-store`` (the auth and account pages, new API tokens, two-factor
set-up): they are never compressed. The CSRF token on other pages is acceptable:
Flask-WTF signs it with a timestamp, so the value on the page changes every second and
the attacker never sees the same one across the responses the attack needs.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress


class SecretSafeCompress(Compress):
    """Flask-Compress, minus the responses that must not be stored (see the module)."""

    def after_request(self, response: Response | None) -> Response:
        """Compress ``response`` unless it is marked ``no-store``."""
        if response is None:
            return super().after_request(response)
        if "no-store" in response.headers.get("Cache-Control", ""):
            return response
        body = response.response
        compressed: Response = super().after_request(response)
        # A streamed body (a static file) is replaced by a compressing generator: the file
        # it reads must still be closed when the response is.
        if compressed.response is not body and hasattr(body, "close"):
            compressed.call_on_close(body.close)
        return compressed


def install(app: Flask) -> None:
    """Compress ``app``'s text responses. Call before the steps that set ``Cache-Control``
    register theirs: Flask runs the last-registered ``after_request`` first."""
    SecretSafeCompress(app)

"""Security headers added to every response."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from forumapp.auth.urls import BLUEPRINT_NAME_KEY

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' https: data:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response: Response) -> Response:
    """Add the headers unless a view chose its own value."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.blueprint == current_app.config.get(BLUEPRINT_NAME_KEY, "auth"):
        # Pages with credentials or tokens must not come back from a cache or the back button.
        headers.setdefault("Cache-Control", "no-store")
    return response


def install(app: Flask) -> None:
    """Register the headers on ``app``."""
    app.after_request(set_security_headers)

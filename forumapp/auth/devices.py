"""Devices an account logged in from before: their failed logins have a budget of their own.

The budget of failed logins per account (``AUTH_LOGIN_ACCOUNT_LIMIT``) stops many
addresses guessing one password together, but anyone can spend it, and so lock the owner
out. A successful login, or a password reset finished in the browser (the reset link
proves the inbox), leaves a signed device cookie naming the account: the "device cookies"
scheme of OWASP. A later login attempt for that account that carries the cookie is
counted on a budget of that account and that device alone, which nobody without the
cookie can spend; attempts without it share the account's budget as before.

The cookie grants nothing else: it is not a login, and its password is checked as always.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from forumapp.auth.ports import ClientInfo

COOKIE_NAME = "forumapp_device"
_SALT = "forumapp.auth.device"
#: The accounts one browser is remembered for; past this the longest unused is forgotten.
MAX_ACCOUNTS = 10


@dataclass(frozen=True)
class DeviceCookie:
    """What a device cookie says: the browser's random id and the accounts that logged in
    from it, the latest last."""

    device: str
    accounts: tuple[int, ...]


def request_client() -> ClientInfo:
    """Where this request comes from, as sessions and security notices record it."""
    return ClientInfo(request.remote_addr or "", request.user_agent.string)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)


def _max_age() -> int:
    return int(current_app.config["AUTH_TRUSTED_DEVICE_DAYS"]) * 86400


def _parse(payload: Any) -> DeviceCookie | None:
    if not isinstance(payload, dict):
        return None
    device, accounts = payload.get("d"), payload.get("a")
    if not isinstance(device, str) or not isinstance(accounts, list):
        return None
    if not all(isinstance(account, int) for account in accounts):
        return None
    return DeviceCookie(device, tuple(accounts))


def read_device_cookie() -> DeviceCookie | None:
    """This browser's device cookie, if it has a valid one that has not expired."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        return _parse(_serializer().loads(raw, max_age=_max_age()))
    except (BadSignature, UnicodeError, ValueError):
        return None


def trusted_device(account_id: int) -> str | None:
    """The id of this browser if ``account_id`` logged in from it before, else ``None``."""
    cookie = read_device_cookie()
    if cookie is None or account_id not in cookie.accounts:
        return None
    return cookie.device


def trust_device(response: Response, account_id: int) -> None:
    """Remember in this browser that ``account_id`` logged in from it (for another
    ``AUTH_TRUSTED_DEVICE_DAYS``)."""
    cookie = read_device_cookie()
    device = cookie.device if cookie is not None else secrets.token_urlsafe(16)
    earlier = [account for account in (cookie.accounts if cookie else ()) if account != account_id]
    accounts = [*earlier, account_id][-MAX_ACCOUNTS:]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps({"d": device, "a": accounts}),
        max_age=_max_age(),
        # Sent to the auth pages only: the login form reads it, the reset form renews it.
        path=url_for(".login").rpartition("/")[0] + "/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )

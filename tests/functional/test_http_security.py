"""HTTP-level protections: CSRF on every state change, cookie flags, security headers,
error pages in the site's look, and the HEAD/OPTIONS behaviour of the class-based views."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from forumapp.auth.factories import token_service
from forumapp.auth.tokens import TokenPurpose
from forumapp.errors import CSRF_MESSAGE
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token

#: Limits are tested in test_rate_limits.py; here they would only get in the way.
NO_LIMITS = {"RATELIMIT_ENABLED": False}

#: The state-changing routes the contract names; the url_map must hold at least these.
KNOWN_POST_ROUTES = {
    "/auth/login",
    "/auth/logout",
    "/auth/reauth",
    "/auth/register",
    "/auth/reset-password",
    "/auth/reset-password/<token>",
    "/auth/activate",
    "/auth/activate/confirm",
}
STATE_CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: POST routes that take no CSRF token by design, each with the check that stands in for
#: it: the one-click unsubscribe (RFC 8058) is posted by mail clients, with a signed token
#: in its path (tests/functional/test_notification_email.py refuses forged ones).
CSRF_EXEMPT_PREFIXES = ("/notifications/unsubscribe/",)
HTML_PAGES = ["/", "/terms", "/privacy"]
AUTH_PAGES = [
    "/auth/login",
    "/auth/register",
    "/auth/reset-password",
    "/auth/activate",
    "/auth/activate/confirm",
]


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_LIMITS)


def state_changing_requests(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every state-changing rule, with URL parameters filled in."""
    requests = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(
            r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>",
            lambda match: "1" if match.group(1) in ("int", "float", "id") else "x",
            rule.rule,
        )
        requests += [(method, path) for method in STATE_CHANGING_METHODS & (rule.methods or set())]
    post_rules = {rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert post_rules >= KNOWN_POST_ROUTES
    return sorted(requests)


def assert_friendly_error_page(response: TestResponse, code: int, title: str) -> None:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    page = response.text
    assert f"Error {code}" in page
    assert title in page
    assert 'class="site-header"' in page  # the site's layout around the message
    assert response.headers["X-Frame-Options"] == "DENY"


def set_cookie(response: TestResponse, name: str) -> str:
    """The ``Set-Cookie`` header of the cookie ``name``."""
    headers = [
        value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}=")
    ]
    assert len(headers) == 1, f"expected one Set-Cookie for {name}, got {headers}"
    return headers[0]


def cookie_attributes(header: str) -> dict[str, str]:
    attributes = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.lower()] = value
    return attributes


def is_logged_in(client: FlaskClient) -> bool:
    return "Logged in as" in client.get("/").text


# -- CSRF -----------------------------------------------------------------------------------


def test_testing_mode_does_not_switch_off_csrf_protection(app: Flask, client: FlaskClient) -> None:
    assert app.testing
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert client.post("/auth/login", data={"login": "a", "password": "b"}).status_code == 400


def _bad_token_requests(other_session_token: str) -> dict[str, Any]:
    return {
        "missing": {"data": {}},
        "empty": {"data": {"csrf_token": ""}},
        "wrong": {"data": {"csrf_token": "wrong"}},
        "from-another-session": {"data": {"csrf_token": other_session_token}},
        "wrong-header": {"data": {}, "headers": {"X-CSRFToken": "wrong"}},
    }


def _refused_for_csrf(response: TestResponse, path: str, logged_in: bool) -> bool:
    if not path.startswith("/api/"):
        return response.status_code == 400 and str(CSRF_MESSAGE) in response.text
    # The JSON API: anonymous writes need authentication first; a browser session without
    # its X-CSRFToken header is refused with a problem document.
    if not logged_in:
        return response.status_code == 401
    return (
        response.status_code == 403
        and response.mimetype == "application/problem+json"
        and "X-CSRFToken" in response.json["detail"]
    )


def _csrf_failures(
    client: FlaskClient, app: Flask, other_token: str, *, logged_in: bool
) -> list[str]:
    failures = []
    for method, path in state_changing_requests(app):
        if path.startswith(CSRF_EXEMPT_PREFIXES):
            continue
        for label, kwargs in _bad_token_requests(other_token).items():
            response = client.open(path, method=method, **kwargs)
            if not _refused_for_csrf(response, path, logged_in):
                failures.append(f"{method} {path} ({label}): {response.status_code}")
    return failures


def test_every_post_route_refuses_missing_or_wrong_csrf_token_when_anonymous(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    other_token = csrf_token(app.test_client())
    csrf_token(client)  # this client has a session with a token of its own

    assert _csrf_failures(client, app, other_token, logged_in=False) == []
    assert not is_logged_in(client)


def test_every_post_route_refuses_missing_or_wrong_csrf_token_when_logged_in(
    app: Flask, client: FlaskClient, make_user: MakeUser, auth: AuthActions
) -> None:
    make_user("alice")
    assert auth.login().status_code == 302
    other_token = csrf_token(app.test_client())

    assert _csrf_failures(client, app, other_token, logged_in=True) == []
    # Not even the logout went through.
    assert is_logged_in(client)


def test_csrf_failure_shows_friendly_400_page(client: FlaskClient) -> None:
    response = client.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    assert_friendly_error_page(response, 400, "Bad request")
    assert str(CSRF_MESSAGE) in response.text


def test_logout_by_get_does_not_log_out(
    client: FlaskClient, make_user: MakeUser, auth: AuthActions
) -> None:
    make_user("alice")
    auth.login()
    response = client.get("/auth/logout")
    assert response.status_code == 200
    assert is_logged_in(client)


# -- cookies --------------------------------------------------------------------------------


def _login(client: FlaskClient, **extra: str) -> TestResponse:
    data = {"login": "alice", "password": PASSWORD, "csrf_token": csrf_token(client), **extra}
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302
    return response


def test_session_cookie_is_httponly_and_samesite_lax(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    name = app.config["SESSION_COOKIE_NAME"]
    first = cookie_attributes(set_cookie(client.get("/auth/login"), name))
    after_login = cookie_attributes(set_cookie(_login(client), name))

    for attributes in (first, after_login):
        assert "httponly" in attributes
        assert attributes.get("samesite") == "Lax"


def test_remember_me_cookie_is_httponly_and_samesite(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    name = app.config["REMEMBER_COOKIE_NAME"]
    attributes = cookie_attributes(set_cookie(_login(client, remember_me="y"), name))
    assert "httponly" in attributes
    assert attributes.get("samesite") in ("Lax", "Strict")


def test_remember_me_cookie_is_only_set_when_asked_for(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    response = _login(client)
    name = app.config["REMEMBER_COOKIE_NAME"]
    assert not any(value.startswith(f"{name}=") for value in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize(
    "config_overrides",
    [{**NO_LIMITS, "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}],
)
def test_cookies_are_secure_when_configured(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    response = _login(client, remember_me="y")
    for key in ("SESSION_COOKIE_NAME", "REMEMBER_COOKIE_NAME"):
        attributes = cookie_attributes(set_cookie(response, app.config[key]))
        assert "secure" in attributes, key
        assert "httponly" in attributes, key
    assert "max-age=" in response.headers.get("Strict-Transport-Security", "")


def test_cookies_are_not_marked_secure_in_the_default_http_setup(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    # The contrast to the test above: the Secure flag follows the configuration.
    make_user("alice")
    response = _login(client, remember_me="y")
    for key in ("SESSION_COOKIE_NAME", "REMEMBER_COOKIE_NAME"):
        assert "secure" not in cookie_attributes(set_cookie(response, app.config[key])), key
    assert "Strict-Transport-Security" not in response.headers


# -- security headers -----------------------------------------------------------------------


def assert_security_headers(response: TestResponse) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    )


@pytest.mark.parametrize("path", HTML_PAGES + AUTH_PAGES)
def test_html_pages_send_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert_security_headers(response)


def test_error_pages_send_security_headers(client: FlaskClient) -> None:
    responses = {
        404: client.get("/no-such-page"),
        405: client.post("/terms"),
        400: client.post("/auth/login"),
    }
    for code, response in responses.items():
        assert response.status_code == code
        assert_security_headers(response)


@pytest.mark.parametrize("path", AUTH_PAGES)
def test_auth_pages_are_not_stored_by_caches(client: FlaskClient, path: str) -> None:
    assert client.get(path).headers.get("Cache-Control") == "no-store"


def test_auth_answers_with_credentials_are_not_stored_by_caches(
    client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    token = csrf_token(client)
    failed = client.post(
        "/auth/login", data={"login": "alice", "password": "x", "csrf_token": token}
    )
    refused = client.post("/auth/login", data={"login": "alice", "password": PASSWORD})
    succeeded = _login(client)
    for response in (failed, refused, succeeded):
        assert response.headers.get("Cache-Control") == "no-store", response.status_code


def test_reset_password_page_sends_no_referrer(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user("alice")
    with app.test_request_context():
        token = token_service().issue(TokenPurpose.RESET_PASSWORD, user)

    link = client.get(f"/auth/reset-password/{token}")
    assert link.status_code == 302
    assert token not in link.headers["Location"]  # the token leaves the address bar

    page = client.get(link.headers["Location"])
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


def test_invalid_reset_link_page_sends_no_referrer(client: FlaskClient) -> None:
    response = client.get("/auth/reset-password/not-a-real-token")
    assert response.status_code == 400
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


# -- error pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{**NO_LIMITS, "REGISTRATION_ENABLED": False}])
def test_closed_registration_shows_friendly_403_page(client: FlaskClient) -> None:
    response = client.get("/auth/register")
    assert_friendly_error_page(response, 403, "Not allowed")
    assert "Registration of new accounts is closed" in response.text

    token = csrf_token(client)
    refused = client.post("/auth/register", data={"csrf_token": token, "username": "newbie"})
    assert_friendly_error_page(refused, 403, "Not allowed")


def test_unknown_page_shows_friendly_404_page(client: FlaskClient) -> None:
    assert_friendly_error_page(client.get("/no-such-page"), 404, "Page not found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/terms", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/auth/login", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("PUT", "/auth/register", {"GET", "HEAD", "OPTIONS", "POST"}),
    ],
)
def test_wrong_method_shows_friendly_405_page_with_allow_header(
    client: FlaskClient, method: str, path: str, allowed: set[str]
) -> None:
    token = csrf_token(client)
    response = client.open(path, method=method, data={"csrf_token": token})
    assert_friendly_error_page(response, 405, "Method not allowed")
    assert {method.strip() for method in response.headers["Allow"].split(",")} == allowed


@pytest.mark.parametrize("config_overrides", [{**NO_LIMITS, "MAX_CONTENT_LENGTH": 2048}])
def test_oversized_body_shows_friendly_413_page(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"login": "a" * 4096, "password": "x", "csrf_token": token}
    )
    assert_friendly_error_page(response, 413, "Too much data")


def test_unhandled_exception_shows_friendly_500_page_without_details(app: Flask) -> None:
    def explode() -> str:
        raise RuntimeError("secret internals: database password is hunter2")

    app.add_url_rule("/explode", "explode", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING would re-raise it into the test
    response = app.test_client().get("/explode")

    assert_friendly_error_page(response, 500, "Something went wrong")
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert_security_headers(response)


# -- HEAD and OPTIONS -----------------------------------------------------------------------


@pytest.mark.parametrize("path", HTML_PAGES + AUTH_PAGES)
def test_head_request_answers_like_get_without_a_body(client: FlaskClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.data == b""
    assert head.mimetype == get.mimetype == "text/html"
    assert_security_headers(head)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", {"GET", "HEAD", "OPTIONS"}),
        ("/terms", {"GET", "HEAD", "OPTIONS"}),
        ("/auth/login", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("/auth/logout", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("/auth/activate/confirm/x", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_answers_with_the_allowed_methods(
    client: FlaskClient, path: str, allowed: set[str]
) -> None:
    response = client.options(path)
    assert response.status_code == 200
    assert {method.strip() for method in response.headers["Allow"].split(",")} == allowed

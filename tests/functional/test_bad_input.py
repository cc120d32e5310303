"""Bad input never gives a 500 and never half-writes data; form errors sit next to fields.

Every form of the auth blueprint gets oversized values, control characters, invalid
UTF-8, missing fields, values of the wrong type, oversized bodies and JSON it cannot use.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse, encode_multipart

from forumapp.auth.factories import token_service
from forumapp.auth.tokens import TokenPurpose
from forumapp.errors import CSRF_MESSAGE
from forumapp.extensions import db
from forumapp.forms import CONTROL_CHARACTERS
from forumapp.users.models import User
from tests.conftest import PASSWORD, MakeUser, csrf_token

#: Limits are tested in test_rate_limits.py; here they would only get in the way.
NO_LIMITS = {"RATELIMIT_ENABLED": False}
NEW_PASSWORD = "a perfectly fine passphrase"
LONG = "a" * 10_000
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_LIMITS)


def user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User)) or 0


def valid_registration(**changes: str) -> dict[str, str]:
    """A registration that succeeds unless ``changes`` spoil it."""
    return {
        "username": "newbie",
        "email": "newbie@example.org",
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
        "language": "en",
        "accept_tos": "y",
        **changes,
    }


def field_is_marked_invalid(page: str, name: str) -> bool:
    """Whether the control named ``name`` carries ``aria-invalid="true"`` and an error list."""
    control = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{name}"[^>]*>', page)
    return (
        control is not None
        and 'aria-invalid="true"' in control.group(0)
        and f'id="{name}-error"' in page
    )


def assert_no_server_error(response: TestResponse) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert response.mimetype == "text/html"


#: (path, fields that make a valid submission, text fields to spoil)
FORMS = [
    pytest.param(
        "/auth/login",
        {"login": "alice", "password": PASSWORD},
        ["login", "password"],
        id="login",
    ),
    pytest.param(
        "/auth/register",
        valid_registration(),
        ["username", "email", "password", "confirm_password"],
        id="register",
    ),
    pytest.param("/auth/reset-password", {"email": "alice@example.org"}, ["email"], id="forgot"),
    pytest.param("/auth/activate", {"email": "alice@example.org"}, ["email"], id="activate"),
    pytest.param("/auth/activate/confirm", {"token": "abc.def"}, ["token"], id="activate-code"),
    pytest.param(
        "/auth/reset-password/x",
        {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        ["password", "confirm_password"],
        id="reset-password",
    ),
]
FIELD_CASES = [
    pytest.param(path, valid, name, id=f"{param.id}-{name}")
    for param in FORMS
    for path, valid, names in [param.values]
    for name in names
]


def _token_page(path: str) -> str:
    # The reset form needs a token to show; the login page carries the same session token.
    return "/auth/login" if path.startswith("/auth/reset-password/") else path


def _with_real_token(app: Flask, path: str, user: User) -> str:
    """``path`` with a valid reset token in place of ``x``: only the form can be wrong."""
    if path != "/auth/reset-password/x":
        return path
    with app.test_request_context():
        return "/auth/reset-password/" + token_service().issue(TokenPurpose.RESET_PASSWORD, user)


# -- oversized and control-character values -------------------------------------------------


@pytest.mark.parametrize(("path", "valid", "name"), FIELD_CASES)
def test_very_long_field_is_refused_next_to_the_field(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    path: str,
    valid: dict[str, str],
    name: str,
) -> None:
    path = _with_real_token(app, path, make_user("alice"))
    before = user_count(app)
    data = {**valid, name: LONG, "csrf_token": csrf_token(client, _token_page(path))}
    response = client.post(path, data=data)

    assert_no_server_error(response)
    assert response.status_code == 200
    assert field_is_marked_invalid(response.text, name)
    assert user_count(app) == before


@pytest.mark.parametrize("char", ["\x00", "\x1b"], ids=["NUL", "ESC"])
@pytest.mark.parametrize(("path", "valid", "name"), FIELD_CASES)
def test_control_characters_are_refused_in_every_text_field(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    path: str,
    valid: dict[str, str],
    name: str,
    char: str,
) -> None:
    path = _with_real_token(app, path, make_user("alice"))
    before = user_count(app)
    spoiled = {**valid}
    if name == "confirm_password" or (name == "password" and "confirm_password" in valid):
        # Spoil both copies alike, so that only the control character is wrong.
        spoiled["password"] = spoiled["confirm_password"] = f"perfectly{char}fine passphrase"
    elif name == "email":
        spoiled[name] = f"new{char}bie@example.org"
    else:
        spoiled[name] = f"{valid[name][:3]}{char}{valid[name][3:]}"
    data = {**spoiled, "csrf_token": csrf_token(client, _token_page(path))}
    response = client.post(path, data=data)

    assert_no_server_error(response)
    assert response.status_code == 200
    assert field_is_marked_invalid(response.text, name)
    if name not in ("email", "username"):
        # Email and username have their own format errors; the rest only this one.
        assert str(CONTROL_CHARACTERS) in response.text
    assert user_count(app) == before


def test_registration_with_control_character_in_password_writes_nothing(
    app: Flask,
    client: FlaskClient,
) -> None:
    password = "perfectly\x00fine passphrase"
    data = valid_registration(password=password, confirm_password=password)
    response = client.post(
        "/auth/register", data={**data, "csrf_token": csrf_token(client, "/auth/register")}
    )
    assert response.status_code == 200
    assert str(CONTROL_CHARACTERS) in response.text
    assert user_count(app) == 0


# -- invalid UTF-8 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"login=%FF%FE&password=%C3%28",
        b"login=\xff\xfe&password=\xc3\x28",
        b"login=alice%00%FF&password=x",
    ],
    ids=["percent-encoded", "raw-bytes", "nul-and-invalid"],
)
def test_invalid_utf8_in_login_body_is_not_a_server_error(
    client: FlaskClient, make_user: MakeUser, body: bytes
) -> None:
    make_user("alice")
    token = csrf_token(client).encode()
    response = client.post(
        "/auth/login", data=body + b"&csrf_token=" + token, content_type=FORM_CONTENT_TYPE
    )
    assert_no_server_error(response)
    assert response.status_code in (200, 400)
    assert "Logged in as" not in client.get("/").text


@pytest.mark.parametrize(
    "spoiled",
    [
        b"username=new%FF%FEbie",
        b"username=new\xff\xfebie",
        b"email=newbie%40exa%FFmple.org",
        b"email=newbie%40exa\xffmple.org",
    ],
    ids=["username-percent", "username-raw", "email-percent", "email-raw"],
)
def test_invalid_utf8_in_registration_writes_nothing(
    app: Flask, client: FlaskClient, spoiled: bytes
) -> None:
    field = spoiled.split(b"=", 1)[0].decode()
    fields = {k: v for k, v in valid_registration().items() if k != field}
    body = b"&".join([spoiled, *(f"{k}={v}".replace(" ", "+").encode() for k, v in fields.items())])
    token = csrf_token(client, "/auth/register").encode()
    response = client.post(
        "/auth/register", data=body + b"&csrf_token=" + token, content_type=FORM_CONTENT_TYPE
    )
    assert_no_server_error(response)
    assert response.status_code in (200, 400)
    assert user_count(app) == 0


# -- missing fields and wrong values --------------------------------------------------------


def test_missing_registration_fields_are_reported_next_to_each_field(
    app: Flask, client: FlaskClient
) -> None:
    response = client.post(
        "/auth/register", data={"csrf_token": csrf_token(client, "/auth/register")}
    )
    assert response.status_code == 200
    page = response.text
    for name, message in [
        ("username", "Choose a username."),
        ("email", "Enter your email address."),
        ("password", "Enter your password."),
        ("confirm_password", "Repeat your password."),
        ("accept_tos", "You need to accept the terms of service to register."),
    ]:
        assert message in page, name
        assert field_is_marked_invalid(page, name), name
    assert user_count(app) == 0


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/auth/login", {"login": "Enter your username or email address."}),
        ("/auth/login", {"password": "Enter your password."}),
        ("/auth/reset-password", {"email": "Enter your email address."}),
        ("/auth/activate", {"email": "Enter your email address."}),
        ("/auth/activate/confirm", {"token": "Paste the code from the activation email."}),
    ],
    ids=["login-login", "login-password", "forgot-email", "activate-email", "activate-code"],
)
def test_missing_field_is_reported_next_to_the_field(
    client: FlaskClient, path: str, fields: dict[str, str]
) -> None:
    data = {"login": "alice", "password": PASSWORD, "csrf_token": csrf_token(client, path)}
    for name in fields:
        data.pop(name, None)
    response = client.post(path, data=data)
    assert response.status_code == 200
    for name, message in fields.items():
        assert message in response.text
        assert field_is_marked_invalid(response.text, name)


def test_odd_checkbox_value_is_not_a_server_error(client: FlaskClient, make_user: MakeUser) -> None:
    make_user("alice")
    data = {
        "login": "alice",
        "password": PASSWORD,
        "remember_me": "maybe",
        "csrf_token": csrf_token(client),
    }
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302


def test_repeated_fields_are_not_a_server_error(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/auth/register")
    body = "&".join(
        [
            "username=newbie&username=other",
            "email=newbie%40example.org&email=x",
            "password=a+perfectly+fine+passphrase",
            "confirm_password=a+perfectly+fine+passphrase",
            "language=en&language=xx&accept_tos=y&accept_tos=n",
            f"csrf_token={token}",
        ]
    )
    response = client.post("/auth/register", data=body, content_type=FORM_CONTENT_TYPE)
    assert response.status_code in (200, 302)
    assert user_count(app) in (0, 1)


@pytest.mark.parametrize(
    "config_overrides", [{**NO_LIMITS, "LANGUAGES": {"en": "English", "de": "Deutsch"}}]
)
def test_unknown_language_is_refused_next_to_the_field(app: Flask, client: FlaskClient) -> None:
    data = valid_registration(language="xx")
    response = client.post(
        "/auth/register", data={**data, "csrf_token": csrf_token(client, "/auth/register")}
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.text
    assert field_is_marked_invalid(response.text, "language")
    assert user_count(app) == 0


@pytest.mark.parametrize("language", ["xx", "", "e\x00n", LONG])
def test_unknown_language_writes_nothing_with_a_single_language(
    app: Flask, client: FlaskClient, language: str
) -> None:
    data = valid_registration(language=language)
    response = client.post(
        "/auth/register", data={**data, "csrf_token": csrf_token(client, "/auth/register")}
    )
    assert_no_server_error(response)
    assert response.status_code == 200
    assert user_count(app) == 0


# -- oversized bodies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", [FORM_CONTENT_TYPE, "multipart/form-data", "application/json"]
)
@pytest.mark.parametrize("path", ["/auth/login", "/auth/register"])
def test_body_over_max_content_length_is_refused_with_friendly_page(
    app: Flask, client: FlaskClient, path: str, content_type: str
) -> None:
    token = csrf_token(client, path)
    filler = "a" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    fields = {**valid_registration(username=filler), "login": filler, "csrf_token": token}
    if content_type == "application/json":
        response = client.post(
            path, data=json.dumps(fields), content_type=content_type, headers={"X-CSRFToken": token}
        )
    elif content_type == FORM_CONTENT_TYPE:
        response = client.post(path, data=fields)
    else:
        # Encoded in memory: the test client would spool a large body to an unclosed file.
        boundary, body = encode_multipart(fields)
        response = client.post(path, data=body, content_type=f"{content_type}; boundary={boundary}")

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "Too much data" in response.text
    assert 'class="site-header"' in response.text
    assert user_count(app) == 0


# -- JSON sent to form endpoints ------------------------------------------------------------


@pytest.mark.parametrize("send_csrf_header", [False, True], ids=["no-header", "csrf-header"])
@pytest.mark.parametrize("path", ["/auth/login", "/auth/register", "/auth/reset-password"])
def test_invalid_json_to_a_form_endpoint_is_not_a_server_error(
    app: Flask, client: FlaskClient, path: str, send_csrf_header: bool
) -> None:
    headers = {"X-CSRFToken": csrf_token(client, path)} if send_csrf_header else {}
    response = client.post(
        path, data=b'{"login": "alice", ', content_type="application/json", headers=headers
    )
    assert_no_server_error(response)
    assert 'class="site-header"' in response.text
    if send_csrf_header:
        # A 400 for the body, or the form again with its fields marked: both are fine.
        assert response.status_code in (200, 400)
    else:
        assert response.status_code == 400
        assert str(CSRF_MESSAGE) in response.text
    assert user_count(app) == 0


def test_json_body_with_wrong_types_is_not_a_server_error(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    make_user("alice")
    token = csrf_token(client)
    registration: dict[str, Any] = {**valid_registration(), "accept_tos": True}
    cases: list[tuple[str, Any]] = [
        ("/auth/login", [1, 2]),
        ("/auth/login", "alice"),
        ("/auth/login", {"login": 5, "password": PASSWORD}),
        ("/auth/login", {"login": {"a": 1}, "password": PASSWORD}),
        ("/auth/login", {"login": "alice", "password": 5}),
        ("/auth/login", {"login": "alice", "password": {"a": "b"}}),
        ("/auth/register", {**registration, "username": 12345}),
        ("/auth/register", {**registration, "email": {"a": 1}}),
        ("/auth/reset-password", {"email": 5}),
        ("/auth/activate", {"email": 5}),
        ("/auth/activate/confirm", {"token": 5}),
    ]
    server_errors = []
    for path, payload in cases:
        response = client.post(
            path,
            data=json.dumps(payload),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        if response.status_code >= 500:
            server_errors.append((path, payload))
    assert server_errors == []
    assert user_count(app) == 1

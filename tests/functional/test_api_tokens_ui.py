"""The API tokens page: who may open it, a secret shown exactly once, revocation, CSRF."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from forumapp.api.tokens import TokenScope, TokenService
from forumapp.errors import CSRF_MESSAGE
from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token
from tests.functional.test_page_structure import check_page

PAGE = "/settings/tokens"
SECRET = re.compile(r"fa_[A-Za-z0-9_-]{43}")


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def alice(make_user: MakeUser, auth: AuthActions) -> int:
    """Alice, logged in with a fresh login."""
    user_id = make_user("alice").id
    assert auth.login().status_code == 302
    return user_id


def create(client: FlaskClient, name: str = "backup script", scope: str = "read") -> TestResponse:
    data = {"name": name, "scope": scope, "csrf_token": csrf_token(client, PAGE)}
    return client.post(PAGE, data=data)


def secrets_in(page: str) -> list[str]:
    return SECRET.findall(page)


def service(app: Flask) -> TokenService:
    return TokenService(db.session, utcnow)


def test_guests_are_sent_to_log_in(client: FlaskClient, make_user: MakeUser) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")
    assert "API tokens" not in client.get("/").text


def test_a_stale_login_confirms_the_password_first(
    app: Flask, client: FlaskClient, alice: int
) -> None:
    with client.session_transaction() as session:
        session.pop("_fresh_at")
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.location == f"/auth/reauth?next={PAGE}"
    stale_post = client.post(
        PAGE, data={"name": "x", "scope": "read", "csrf_token": csrf_token(client, "/auth/reauth")}
    )
    assert stale_post.status_code == 302
    with app.app_context():
        assert service(app).tokens_of(alice) == []

    reauth = client.post(
        f"/auth/reauth?next={PAGE}",
        data={"password": PASSWORD, "csrf_token": csrf_token(client, "/auth/reauth")},
    )
    assert reauth.location == PAGE
    assert client.get(PAGE).status_code == 200


def test_members_find_the_page_in_the_settings_menu(client: FlaskClient, alice: int) -> None:
    # The header links to the settings area, whose menu lists the tokens page.
    settings = re.search(r'<a href="([^"]+)">Settings</a>', client.get("/").text)
    assert settings is not None
    assert re.search(f'href="{PAGE}"[^>]*>API tokens</a>', client.get(settings.group(1)).text)
    page = client.get(PAGE)
    assert f'<a href="{PAGE}" aria-current="page">API tokens</a>' in page.text
    assert page.status_code == 200
    assert "You have no tokens yet." in page.text
    assert page.headers["Cache-Control"] == "no-store"
    # Read is the default scope.
    assert re.search(
        r'<input checked id="scope-0" name="scope" required type="radio" value="read">', page.text
    )


def test_a_new_secret_is_shown_once_and_only_its_prefix_afterwards(
    app: Flask, client: FlaskClient, alice: int
) -> None:
    response = create(client, "backup script", "write")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Copy it now: it will not be shown again." in response.text
    [secret] = set(secrets_in(response.text))
    assert f'id="new-token-secret" type="text" value="{secret}" readonly' in response.text
    check_page(response.text, "POST " + PAGE)
    # The form under it is blank again, ready for another token.
    assert 'value="backup script"' not in response.text

    later = client.get(PAGE)
    assert secrets_in(later.text) == []
    assert f"<code>{secret[:10]}…</code>" in later.text
    assert "backup script" in later.text
    assert "Read and write" in later.text
    assert "Never" in later.text

    with app.app_context():
        token = service(app).authenticate(secret)
        assert token is not None
        assert (token.user_id, token.name, token.scope) == (alice, "backup script", "write")
    for path in ("/", "/auth/reauth", PAGE):
        assert secret not in client.get(path).text
    for name in (app.config["SESSION_COOKIE_NAME"], app.config["REMEMBER_COOKIE_NAME"]):
        cookie = client.get_cookie(name)
        assert cookie is None or secret not in cookie.value
    # The session cookie is signed, not encrypted: what it carries must not hold the secret.
    with client.session_transaction() as session:
        assert secret not in repr(dict(session))


def test_the_list_shows_when_a_token_was_last_used(
    app: Flask, client: FlaskClient, alice: int
) -> None:
    [secret] = set(secrets_in(create(client).text))
    with app.app_context():
        assert service(app).authenticate(secret) is not None
    assert "Never" not in client.get(PAGE).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scope": "read"}, "Give the token a name."),
        ({"name": "x" * 65, "scope": "read"}, "Use at most 64 characters."),
        ({"name": "ok", "scope": "admin"}, "Not a valid choice."),
        ({"name": "ok"}, "Choose read or write."),
        ({"name": "tab\there", "scope": "read"}, "Remove the control characters"),
    ],
)
def test_form_errors_are_shown_on_the_page(
    client: FlaskClient, alice: int, data: dict[str, str], message: str
) -> None:
    response = client.post(PAGE, data={**data, "csrf_token": csrf_token(client, PAGE)})
    assert response.status_code == 200
    assert message in response.text
    assert 'aria-invalid="true"' in response.text or "form-errors" in response.text
    assert secrets_in(response.text) == []
    assert "You have no tokens yet." in response.text


def test_a_duplicate_name_is_refused_whatever_its_case(client: FlaskClient, alice: int) -> None:
    create(client, "CI")
    response = create(client, "ci")
    assert "You already have a token with this name." in response.text
    assert secrets_in(response.text) == []


def test_too_many_tokens_are_refused(app: Flask, client: FlaskClient, alice: int) -> None:
    app.config["API_TOKENS_PER_MEMBER"] = 1
    create(client, "one")
    response = create(client, "two")
    assert "the most allowed" in response.text
    assert secrets_in(response.text) == []


def test_a_member_revokes_a_token(app: Flask, client: FlaskClient, alice: int) -> None:
    [secret] = set(secrets_in(create(client).text))
    with app.app_context():
        [token] = service(app).tokens_of(alice)
    url = f"{PAGE}/{token.id}/revoke"

    response = client.post(url, data={"csrf_token": csrf_token(client, PAGE)})

    assert response.status_code == 302
    assert response.location == PAGE
    page = client.get(PAGE).text
    assert "The token is revoked" in page
    assert "You have no tokens yet." in page
    with app.app_context():
        assert service(app).authenticate(secret) is None
    assert client.post(url, data={"csrf_token": csrf_token(client, PAGE)}).status_code == 404
    assert client.get(url).status_code == 405


def test_another_members_token_cannot_be_revoked(
    app: Flask, client: FlaskClient, make_user: MakeUser, alice: int
) -> None:
    bob = make_user("bob").id
    with app.app_context():
        issued = service(app).issue(bob, "bob's", TokenScope.READ)
    url = f"{PAGE}/{issued.token.id}/revoke"

    response = client.post(url, data={"csrf_token": csrf_token(client, PAGE)})

    assert response.status_code == 404
    assert "bob's" not in client.get(PAGE).text
    with app.app_context():
        assert service(app).authenticate(issued.secret) is not None


def test_creating_and_revoking_need_the_csrf_token(
    app: Flask, client: FlaskClient, alice: int
) -> None:
    refused = client.post(PAGE, data={"name": "x", "scope": "read"})
    assert refused.status_code == 400
    assert str(CSRF_MESSAGE) in refused.text
    create(client, "kept")
    with app.app_context():
        [token] = service(app).tokens_of(alice)
    for data in ({}, {"csrf_token": "wrong"}):
        response = client.post(f"{PAGE}/{token.id}/revoke", data=data)
        assert response.status_code == 400
    with app.app_context():
        assert len(service(app).tokens_of(alice)) == 1


def test_guests_cannot_revoke(app: Flask, client: FlaskClient, make_user: MakeUser) -> None:
    bob = make_user("bob").id
    with app.app_context():
        issued = service(app).issue(bob, "bob's", TokenScope.READ)
    response = client.post(
        f"{PAGE}/{issued.token.id}/revoke", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")
    with app.app_context():
        assert service(app).authenticate(issued.secret) is not None

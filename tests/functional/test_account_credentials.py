"""The password, email address and sessions pages through the test client (issue 15)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forumapp.api.tokens import TokenScope, TokenService
from forumapp.auth.models import AuthSession
from forumapp.auth.stores import LAST_SEEN_RESOLUTION
from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token, links_in
from tests.functional.test_forum_query_counts import queries_for

NEW_PASSWORD = "a brand new quite long passphrase"
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def logged_in(app: Flask, login: str = "alice", user_agent: str = FIREFOX) -> FlaskClient:
    """A second browser, logged in as ``login``."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert AuthActions(client).login(login).status_code == 302
    return client


def post_form(client: FlaskClient, path: str, **data: Any) -> Any:
    """Submit the form at ``path`` with its CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def change_password(client: FlaskClient, current: str = PASSWORD, new: str = NEW_PASSWORD) -> Any:
    """Submit the password form as a person would."""
    return post_form(
        client,
        "/settings/password",
        current_password=current,
        password=new,
        confirm_password=new,
    )


def api_token(app: Flask, user_id: int) -> str:
    """A personal access token of the member."""
    with app.app_context():
        service = TokenService(db.session, utcnow, max_tokens=10)
        return service.issue(user_id, "backup script", TokenScope.READ).secret


def test_changing_the_password_ends_other_sessions_and_api_tokens(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    alice = make_user()
    secret = api_token(app, alice.id)
    other = logged_in(app)
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    me = logged_in(app)

    response = change_password(me)

    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/password"
    assert me.get("/settings/password").status_code == 200
    assert other.get("/settings/sessions").status_code == 302
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    [notice] = outbox
    assert notice.to == ["alice@example.org"]
    assert "Firefox 128 on Ubuntu" in notice.body
    assert "backup script" in notice.body
    assert AuthActions(app.test_client()).login(password=NEW_PASSWORD).status_code == 302


def test_a_copied_cookie_of_the_session_before_a_password_change_stops_working(
    app: Flask, make_user: MakeUser
) -> None:
    make_user()
    me = logged_in(app)
    old_cookie = me.get_cookie("forumapp_session")
    assert old_cookie is not None
    change_password(me)
    copy = app.test_client()
    copy.set_cookie("forumapp_session", old_cookie.value)
    assert copy.get("/settings/sessions").status_code == 302
    assert me.get("/settings/sessions").status_code == 200


def test_a_wrong_current_password_is_a_field_error(app: Flask, make_user: MakeUser) -> None:
    make_user()
    me = logged_in(app)
    response = change_password(me, current="not my password")
    assert response.status_code == 200
    assert 'id="current_password-error"' in response.get_data(as_text=True)
    assert AuthActions(app.test_client()).login().status_code == 302


def test_a_weak_new_password_is_refused_by_the_registration_rules(
    app: Flask, make_user: MakeUser
) -> None:
    make_user()
    response = change_password(logged_in(app), new="short")
    assert response.status_code == 200
    assert 'id="password-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"AUTH_LOGIN_ACCOUNT_LIMIT": "2 per hour"}])
def test_guessing_the_current_password_is_rate_limited_per_account(
    app: Flask, make_user: MakeUser
) -> None:
    make_user()
    first, second = logged_in(app), logged_in(app)
    assert change_password(first, current="guess one").status_code == 200
    assert change_password(second, current="guess two").status_code == 200
    assert change_password(first, current=PASSWORD).status_code == 429


def test_a_reset_link_issued_before_a_password_change_no_longer_works(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    make_user()
    stranger = app.test_client()
    post_form(stranger, "/auth/reset-password", email="alice@example.org")
    [reset_mail] = outbox
    [link] = [url for url in links_in(reset_mail) if "/auth/reset-password/" in url]
    change_password(logged_in(app))
    response = stranger.get(link.removeprefix("http://forum.test"))
    assert response.status_code == 400
    assert "cannot be used" in response.get_data(as_text=True)


def test_the_password_page_needs_a_fresh_login(app: Flask, make_user: MakeUser) -> None:
    make_user()
    me = logged_in(app)
    with me.session_transaction() as state:
        state.pop("_fresh_at")
    response = me.get("/settings/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/reauth")

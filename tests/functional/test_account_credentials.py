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
from tests.functional.test_forum_query_counts import counted_queries, queries_for

NEW_PASSWORD = "a brand new quite long passphrase"
NEW_SIGN_IN = "New login to your account"
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def logged_in(app: Flask, login: str = "alice", user_agent: str = FIREFOX) -> FlaskClient:
    """A second browser, logged in as ``login``."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert AuthActions(client).login(login).status_code == 302
    return client


def without_sign_in_notices(outbox: list[Any]) -> list[Any]:
    """The mail of ``outbox`` but the new sign-in notices the second browsers bring."""
    return [message for message in outbox if not message.subject.endswith(NEW_SIGN_IN)]


def post_form(client: FlaskClient, path: str, page: str | None = None, **data: Any) -> Any:
    """Submit the form of ``page`` (``path`` itself by default) to ``path``."""
    return client.post(path, data={"csrf_token": csrf_token(client, page or path), **data})


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
    [notice] = without_sign_in_notices(outbox)
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


@pytest.mark.parametrize("page", ["/settings/password", "/settings/email"])
def test_credential_pages_need_a_fresh_login(app: Flask, make_user: MakeUser, page: str) -> None:
    make_user()
    me = logged_in(app)
    with me.session_transaction() as state:
        state.pop("_fresh_at")
    response = me.get(page)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/reauth")


def request_email_change(client: FlaskClient, email: str) -> Any:
    """Submit the email form."""
    return post_form(client, "/settings/email", email=email)


def link_path(message: Any, part: str) -> str:
    """The path of the link in ``message`` that contains ``part``."""
    [link] = [url for url in links_in(message) if part in url]
    return link.removeprefix("http://forum.test")


def email_of(app: Flask, user_id: int) -> str:
    """The member's address as stored."""
    with app.app_context():
        return db.session.get(User, user_id).email


def test_an_email_change_is_confirmed_from_the_new_address_once(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    alice = make_user()
    me = logged_in(app)
    assert request_email_change(me, "Alice.New@example.org").status_code == 302
    confirmation, notice = outbox
    assert confirmation.to == ["Alice.New@example.org"]
    assert notice.to == ["alice@example.org"]
    assert "Firefox 128 on Ubuntu" in notice.body
    confirm = link_path(confirmation, "/settings/email/confirm/")
    assert email_of(app, alice.id) == "alice@example.org"

    inbox = app.test_client()
    assert inbox.get(confirm).status_code == 200
    assert post_form(inbox, confirm).status_code == 302

    assert email_of(app, alice.id) == "Alice.New@example.org"
    changed = outbox[2]
    assert changed.to == ["alice@example.org"]
    assert "was changed" in changed.subject
    reused = inbox.get(confirm)
    assert reused.status_code == 400
    assert "cannot be used" in reused.get_data(as_text=True)
    assert reused.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("config_overrides", [{"EMAIL_CHANGE_TOKEN_MAX_AGE": 60}])
def test_an_email_change_link_expires(
    app: Flask, make_user: MakeUser, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = make_user()
    request_email_change(logged_in(app), "new@example.org")
    confirm = link_path(outbox[0], "/settings/email/confirm/")
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr("forumapp.account.credentials.factories.utcnow", lambda: later)
    response = app.test_client().get(confirm)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert email_of(app, alice.id) == "alice@example.org"


def test_the_cancel_link_drops_the_change_and_ends_every_session(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    alice = make_user()
    me, other = logged_in(app), logged_in(app)
    request_email_change(me, "new@example.org")
    confirmation, notice = without_sign_in_notices(outbox)
    cancel = link_path(notice, "/settings/email/cancel/")
    owner = app.test_client()
    assert "this wasn" in notice.alternatives[0][0].casefold()
    assert post_form(owner, cancel).status_code == 302
    assert me.get("/settings/sessions").status_code == 302
    assert other.get("/settings/sessions").status_code == 302
    assert owner.get(link_path(confirmation, "/settings/email/confirm/")).status_code == 400
    assert email_of(app, alice.id) == "alice@example.org"


def _without_csrf(page: str) -> str:
    # Each form carries a fresh CSRF token; nothing else may differ.
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", page)


def test_a_taken_address_gets_the_same_answer_as_a_free_one(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    make_user()
    make_user("bob")
    answers = []
    for address in ("BOB@example.org", "free@example.org"):
        me = logged_in(app)
        response = request_email_change(me, address)
        page = me.get(response.headers["Location"])
        answers.append(
            (
                response.status_code,
                response.headers["Location"],
                _without_csrf(page.get_data(as_text=True)).replace(address, "ADDRESS"),
            )
        )
    assert answers[0] == answers[1]
    taken_attempt = outbox[0]
    assert taken_attempt.to == ["bob@example.org"]
    assert "Someone tried to use your email address" in taken_attempt.subject


def test_changing_to_the_current_address_is_a_field_error(app: Flask, make_user: MakeUser) -> None:
    make_user()
    response = request_email_change(logged_in(app), "ALICE@example.org")
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_a_forged_email_link_is_the_friendly_invalid_page(app: Flask) -> None:
    for path in ("/settings/email/confirm/forged", "/settings/email/cancel/forged"):
        response = app.test_client().get(path)
        assert response.status_code == 400
        assert "cannot be used" in response.get_data(as_text=True)


def test_the_sessions_page_lists_devices_and_marks_this_one(
    app: Flask, make_user: MakeUser
) -> None:
    make_user()
    logged_in(
        app,
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    )
    me = logged_in(app)
    page = me.get("/settings/sessions").get_data(as_text=True)
    assert "Mobile Safari 17 on iOS" in page
    assert "Firefox 128 on Ubuntu" in page
    assert page.count("This device") == 1
    assert "127.0.0.x" in page


def test_ending_a_session_logs_that_browser_out(app: Flask, make_user: MakeUser) -> None:
    alice = make_user()
    other, me = logged_in(app), logged_in(app)
    with app.app_context():
        ids = db.session.scalars(
            select(AuthSession.id).where(AuthSession.user_id == alice.id).order_by(AuthSession.id)
        ).all()
    response = post_form(me, f"/settings/sessions/{ids[0]}/end", "/settings/sessions")
    assert response.status_code == 302
    assert other.get("/settings/sessions").status_code == 302
    assert me.get("/settings/sessions").status_code == 200


def test_ending_another_members_session_is_not_found(app: Flask, make_user: MakeUser) -> None:
    make_user()
    bob = make_user("bob")
    bobs_browser = logged_in(app, "bob")
    with app.app_context():
        bobs_session = db.session.scalar(
            select(AuthSession.id).where(AuthSession.user_id == bob.id)
        )
    me = logged_in(app)
    assert (
        post_form(me, f"/settings/sessions/{bobs_session}/end", "/settings/sessions").status_code
        == 404
    )
    assert bobs_browser.get("/settings/sessions").status_code == 200


def test_ending_all_other_sessions_keeps_this_one(app: Flask, make_user: MakeUser) -> None:
    make_user()
    first, second, me = logged_in(app), logged_in(app), logged_in(app)
    assert post_form(me, "/settings/sessions/end-others", "/settings/sessions").status_code == 302
    assert first.get("/settings/sessions").status_code == 302
    assert second.get("/settings/sessions").status_code == 302
    assert me.get("/settings/sessions").status_code == 200


def test_last_seen_is_written_at_most_once_per_resolution(app: Flask, make_user: MakeUser) -> None:
    alice = make_user()
    me = logged_in(app)
    with app.app_context():
        long_ago = utcnow() - LAST_SEEN_RESOLUTION * 3
        db.session.execute(update(AuthSession).values(last_seen_at=long_ago))
        db.session.commit()
    me.get("/settings/sessions")
    with app.app_context():
        seen = db.session.scalar(
            select(AuthSession.last_seen_at).where(AuthSession.user_id == alice.id)
        )
    assert seen is not None and seen > long_ago
    with counted_queries(app) as statements:
        me.get("/settings/sessions")
    assert not any(statement.lstrip().upper().startswith("UPDATE") for statement in statements)


def test_the_sessions_page_costs_the_same_queries_for_many_devices(
    app: Flask, make_user: MakeUser
) -> None:
    make_user()
    me = logged_in(app)
    few = queries_for(app, me, "/settings/sessions")
    for _ in range(5):
        logged_in(app)
    assert queries_for(app, me, "/settings/sessions") == few


def test_ending_a_session_needs_a_csrf_token(app: Flask, make_user: MakeUser) -> None:
    alice = make_user()
    other, me = logged_in(app), logged_in(app)
    with app.app_context():
        first = db.session.scalar(select(AuthSession.id).where(AuthSession.user_id == alice.id))
    assert me.post(f"/settings/sessions/{first}/end").status_code == 400
    assert me.post("/settings/sessions/end-others").status_code == 400
    assert other.get("/settings/sessions").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"ACCOUNT_EMAIL_CHANGE_LIMIT": "1 per hour"}])
def test_email_change_requests_are_rate_limited_per_member(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    make_user()
    assert request_email_change(logged_in(app), "one@example.org").status_code == 302
    assert request_email_change(logged_in(app), "two@example.org").status_code == 429
    assert len(without_sign_in_notices(outbox)) == 2


def test_a_huge_user_agent_header_does_not_break_the_pages(app: Flask, make_user: MakeUser) -> None:
    make_user()
    me = logged_in(app, user_agent="Mozilla/5.0 (" + "x; " * 3000 + ")")
    assert me.get("/settings/sessions").status_code == 200
    assert change_password(me).status_code == 302


def test_a_remembered_browser_stays_remembered_and_its_old_remember_cookie_dies(
    app: Flask, make_user: MakeUser
) -> None:
    make_user()
    me = app.test_client()
    AuthActions(me).login(remember_me="y")
    old = me.get_cookie("forumapp_remember")
    assert old is not None
    assert change_password(me).status_code == 302
    new = me.get_cookie("forumapp_remember")
    assert new is not None and new.value != old.value
    for value, status in ((old.value, 302), (new.value, 200)):
        browser = app.test_client()
        browser.set_cookie("forumapp_remember", value)
        assert browser.get("/settings/sessions").status_code == status

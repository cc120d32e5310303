"""Passkeys through the test client: adding, renaming and removing them on the security
page, and answering the login's second step with one. A software authenticator
(``tests/passkey_support.py``) answers the ceremonies; py_webauthn checks the answers."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.auth.decorators import FRESH_AT_KEY
from forumapp.sqltypes import utcnow
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token
from tests.fakes import FixedClock
from tests.functional.test_forum_query_counts import counted_queries
from tests.passkey_support import SoftAuthenticator

SECURITY = "/settings/security"
OPTIONS = "/settings/security/passkeys/options"
ADD = "/settings/security/passkeys"
SECOND_STEP = "/auth/two-factor"


def authenticator() -> SoftAuthenticator:
    """A passkey for the test app's ``EXTERNAL_URL`` (``http://forum.test``)."""
    return SoftAuthenticator(origin="http://forum.test", rp_id="forum.test")


def options(client: FlaskClient, url: str, page: str) -> Any:
    """POST for ceremony options as ``passkeys.js`` does: the page's CSRF token in a header."""
    return client.post(url, headers={"X-CSRFToken": csrf_token(client, page)})


def add_passkey(client: FlaskClient, key: SoftAuthenticator, name: str = "Laptop") -> Any:
    answer = key.create(options(client, OPTIONS, SECURITY).get_data(as_text=True))
    token = csrf_token(client, SECURITY)
    return client.post(ADD, data={"name": name, "answer": answer, "csrf_token": token})


def passkey_ids(client: FlaskClient) -> list[int]:
    page = client.get(SECURITY).get_data(as_text=True)
    return [int(i) for i in re.findall(r"/settings/security/passkeys/(\d+)/rename", page)]


def logged_in(client: FlaskClient) -> bool:
    return client.get(SECURITY).status_code == 200


@pytest.fixture
def key(client: FlaskClient, auth: AuthActions, make_user: MakeUser) -> SoftAuthenticator:
    """Alice, logged in, with one passkey named "Laptop"."""
    make_user("alice")
    auth.login()
    key = authenticator()
    assert add_passkey(client, key).status_code == 302
    return key


def test_a_passkey_is_added_with_its_name_and_listed(client: FlaskClient, key: Any) -> None:
    page = client.get(SECURITY).get_data(as_text=True)
    assert "<td>Laptop</td>" in page
    assert "You have no passkeys yet" not in page
    assert "On with passkeys" in page, "a passkey is a second factor"


def test_options_are_json_with_the_relying_party_of_the_external_url(
    client: FlaskClient, key: Any
) -> None:
    answer = options(client, OPTIONS, SECURITY)
    assert answer.mimetype == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json()["rp"]["id"] == "forum.test"


def test_options_need_a_csrf_token(client: FlaskClient, key: Any) -> None:
    assert client.post(OPTIONS).status_code == 400


def test_a_member_can_add_several_passkeys_and_rename_one(client: FlaskClient, key: Any) -> None:
    assert add_passkey(client, authenticator(), "Phone").status_code == 302
    _, second = passkey_ids(client)
    rename = f"/settings/security/passkeys/{second}/rename"
    token = csrf_token(client, rename)
    assert client.post(rename, data={"name": "Old phone", "csrf_token": token}).status_code == 302
    page = client.get(SECURITY).get_data(as_text=True)
    assert page.index("<td>Laptop</td>") < page.index("<td>Old phone</td>")


def test_an_empty_name_is_a_field_error(client: FlaskClient, key: Any) -> None:
    [passkey_id] = passkey_ids(client)
    rename = f"/settings/security/passkeys/{passkey_id}/rename"
    answer = client.post(rename, data={"name": "  ", "csrf_token": csrf_token(client, rename)})
    assert answer.status_code == 200
    assert "Give the passkey a name." in answer.get_data(as_text=True)


@pytest.mark.parametrize("answer", ["", "junk", '{"response": {"clientDataJSON": "!!"}}'])
def test_a_bad_registration_answer_is_an_error_on_the_page_never_a_500(
    client: FlaskClient, key: Any, answer: str
) -> None:
    data = {"name": "Junk", "answer": answer, "csrf_token": csrf_token(client, SECURITY)}
    refused = client.post(ADD, data=data)
    assert refused.status_code == 400
    assert 'role="alert"' in refused.get_data(as_text=True)
    assert len(passkey_ids(client)) == 1


def test_a_registration_answer_is_single_use(client: FlaskClient, key: Any) -> None:
    fresh = authenticator()
    answer = fresh.create(options(client, OPTIONS, SECURITY).get_data(as_text=True))
    data = {"name": "Phone", "answer": answer, "csrf_token": csrf_token(client, SECURITY)}
    assert client.post(ADD, data=data).status_code == 302
    data["name"] = "Phone again"
    assert client.post(ADD, data=data).status_code == 400


def test_another_members_passkey_is_not_found(
    client: FlaskClient, key: Any, auth: AuthActions, make_user: MakeUser
) -> None:
    [passkey_id] = passkey_ids(client)
    auth.logout()
    make_user("bob")
    auth.login("bob")
    assert client.get(f"/settings/security/passkeys/{passkey_id}/rename").status_code == 404
    assert client.get(f"/settings/security/passkeys/{passkey_id}/remove").status_code == 404


def test_removing_needs_a_fresh_login_and_the_last_one_mails_a_notice(
    client: FlaskClient, key: Any, outbox: list[Any]
) -> None:
    [passkey_id] = passkey_ids(client)
    remove = f"/settings/security/passkeys/{passkey_id}/remove"
    with client.session_transaction() as session:
        session[FRESH_AT_KEY] = time.time() - 3600
    assert client.get(remove).headers["Location"].startswith("/auth/reauth")
    reauth = f"/auth/reauth?next={remove}"
    # The passkey is the account's second factor: the confirmation takes it with the password.
    request = options(client, "/auth/reauth/passkey-options", reauth)
    answer = key.get(request.get_data(as_text=True))
    data = {"password": PASSWORD, "answer": answer, "csrf_token": csrf_token(client, reauth)}
    assert client.post(reauth, data=data).headers["Location"] == remove
    assert client.post(remove, data={"csrf_token": csrf_token(client, remove)}).status_code == 302
    assert passkey_ids(client) == []
    [notice] = outbox
    assert "turned off" in notice.subject


def test_adding_a_passkey_needs_a_fresh_login(client: FlaskClient, key: Any) -> None:
    with client.session_transaction() as session:
        session[FRESH_AT_KEY] = time.time() - 3600
    assert (
        client.post(OPTIONS, headers={"X-CSRFToken": csrf_token(client, SECURITY)}).status_code
        == 302
    )


def test_without_javascript_the_page_explains_and_shows_no_dead_button(
    client: FlaskClient, key: Any
) -> None:
    page = client.get(SECURITY).get_data(as_text=True)
    assert "Adding a passkey needs a browser with JavaScript turned on." in page
    assert re.search(r'<form [^>]*data-passkey="create"[^>]*\shidden', page)
    assert '<script src="' in page and "<script>" not in page
    script = client.get("/auth/static/js/passkeys.js")
    assert script.status_code == 200
    script.close()


def test_the_security_page_query_count_does_not_grow_with_passkeys(
    app: Flask, client: FlaskClient, key: Any
) -> None:
    with counted_queries(app) as one:
        client.get(SECURITY)
    add_passkey(client, authenticator(), "Phone")
    add_passkey(client, authenticator(), "Key")
    with counted_queries(app) as three:
        client.get(SECURITY)
    assert len(one) == len(three)


# -- the second step of a login ---------------------------------------------------------------


def passkey_step(client: FlaskClient, key: SoftAuthenticator) -> Any:
    """Answer the pending login's second step with ``key``, as ``passkeys.js`` does."""
    request = options(client, "/auth/two-factor/passkey-options", SECOND_STEP)
    assert request.status_code == 200, request.get_data(as_text=True)
    answer = key.get(request.get_data(as_text=True))
    token = csrf_token(client, SECOND_STEP)
    return client.post("/auth/two-factor/passkey", data={"answer": answer, "csrf_token": token})


def test_a_member_with_only_a_passkey_logs_in_with_password_then_passkey(
    client: FlaskClient, auth: AuthActions, key: SoftAuthenticator
) -> None:
    auth.logout()
    assert auth.login().headers["Location"].startswith(SECOND_STEP)
    assert not logged_in(client)
    assert "Use a passkey" in client.get(SECOND_STEP).get_data(as_text=True)
    assert passkey_step(client, key).headers["Location"] == "/"
    assert logged_in(client)
    history = client.get(SECURITY).get_data(as_text=True)
    assert "<td>Passkey</td>" in history


def test_a_passkey_answer_is_refused_after_a_replay(
    client: FlaskClient, auth: AuthActions, key: SoftAuthenticator
) -> None:
    auth.logout()
    auth.login()
    request = options(client, "/auth/two-factor/passkey-options", SECOND_STEP)
    answer = key.get(request.get_data(as_text=True))
    data = {"answer": answer, "csrf_token": csrf_token(client, SECOND_STEP)}
    assert client.post("/auth/two-factor/passkey", data=data).status_code == 302
    auth.logout()
    auth.login()
    data["csrf_token"] = csrf_token(client, SECOND_STEP)
    replayed = client.post("/auth/two-factor/passkey", data=data)
    assert replayed.headers["Location"].startswith(SECOND_STEP)
    assert not logged_in(client)


def test_passkey_options_need_a_pending_login(client: FlaskClient, key: Any) -> None:
    client.get("/auth/logout")
    anonymous = client.application.test_client()
    token = csrf_token(anonymous)
    answer = anonymous.post("/auth/two-factor/passkey-options", headers={"X-CSRFToken": token})
    assert answer.status_code == 409
    assert json.loads(answer.get_data(as_text=True)) == {"error": "login expired"}


def test_a_member_without_passkeys_is_offered_none(
    client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> None:
    make_user("carol")
    assert auth.login("carol").headers["Location"] == "/"


# -- passwordless sign-in ----------------------------------------------------------------------


def sign_in(client: FlaskClient, key: SoftAuthenticator) -> Any:
    """Sign in from the login page with ``key`` alone, as ``passkeys.js`` does."""
    request = options(client, "/auth/passkey/options", "/auth/login")
    assert request.status_code == 200, request.get_data(as_text=True)
    answer = key.get(request.get_data(as_text=True))
    token = csrf_token(client)
    return client.post("/auth/passkey", data={"answer": answer, "csrf_token": token})


def test_a_passkey_alone_signs_in_and_the_history_says_so(
    client: FlaskClient, auth: AuthActions, key: SoftAuthenticator
) -> None:
    auth.logout()
    assert "Sign in with a passkey" in client.get("/auth/login").get_data(as_text=True)
    assert sign_in(client, key).headers["Location"] == "/"
    assert logged_in(client)
    assert "<td>Passkey, without password</td>" in client.get(SECURITY).get_data(as_text=True)


def test_an_unknown_passkey_gets_the_same_page_as_a_bad_answer(
    client: FlaskClient, auth: AuthActions, key: SoftAuthenticator
) -> None:
    auth.logout()
    unknown = sign_in(client, authenticator())
    token = csrf_token(client)
    junk = client.post("/auth/passkey", data={"answer": "junk", "csrf_token": token})
    assert unknown.status_code == junk.status_code == 200
    message = "That passkey did not sign you in."
    assert message in unknown.get_data(as_text=True)
    assert message in junk.get_data(as_text=True)
    assert not logged_in(client)


@pytest.mark.parametrize(
    "config_overrides", [{"AUTH_LOGIN_LIMIT": "2 per minute"}], ids=["2-per-minute"]
)
def test_passkey_sign_ins_are_rate_limited_like_logins(
    client: FlaskClient, make_user: MakeUser
) -> None:
    token = csrf_token(client)
    statuses = [
        client.post("/auth/passkey", data={"answer": "junk", "csrf_token": token}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_turning_the_app_off_while_a_passkey_remains_says_two_factor_login_stays_on(
    client: FlaskClient, key: Any, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.functional.test_two_factor import enrol

    now = utcnow()
    clock = FixedClock(now - timedelta(seconds=now.timestamp() % 30, microseconds=0))
    monkeypatch.setattr("forumapp.auth.second_factor.factories.utcnow", clock)
    enrol(client, clock)
    outbox.clear()
    disable = "/settings/security/two-factor/disable"
    answer = client.post(disable, data={"csrf_token": csrf_token(client, disable)})
    assert answer.status_code == 302
    [notice] = outbox
    assert notice.subject.endswith("Your authenticator app was removed")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "your passkeys still guard your login" in page

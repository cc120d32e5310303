"""Confirming the password before a sensitive page, for members whose second factor is a
passkey: the password and a passkey's answer, never the password alone."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from forumapp.auth.decorators import FRESH_AT_KEY
from forumapp.auth.services import CODE_NEEDED, PASSKEY_NEEDED, PASSKEY_REFUSED, WRONG_PASSWORD
from forumapp.sqltypes import utcnow
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token
from tests.fakes import FixedClock
from tests.functional.test_passkeys import (  # noqa: F401 (key: Alice with one passkey)
    add_passkey,
    authenticator,
    key,
    options,
)
from tests.passkey_support import SoftAuthenticator

PASSWORD_PAGE = "/settings/password"
REAUTH = f"/auth/reauth?next={PASSWORD_PAGE}"
REAUTH_OPTIONS = "/auth/reauth/passkey-options"


@pytest.fixture
def alice_key(client: FlaskClient, key: SoftAuthenticator) -> SoftAuthenticator:  # noqa: F811
    """Alice, logged in with a passkey as her only second factor, her login gone stale."""
    make_stale(client)
    return key


def make_stale(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session[FRESH_AT_KEY] = time.time() - 3600


def passkey_answer(client: FlaskClient, passkey: SoftAuthenticator) -> str:
    """The answer ``passkeys.js`` puts in the reauth page's passkey form."""
    request = options(client, REAUTH_OPTIONS, REAUTH)
    assert request.status_code == 200, request.get_data(as_text=True)
    assert request.headers["Cache-Control"] == "no-store"
    return passkey.get(request.get_data(as_text=True))


def confirm(client: FlaskClient, password: str = PASSWORD, answer: str = "", code: str = "") -> Any:
    data = {"password": password, "answer": answer, "code": code}
    return client.post(REAUTH, data={**data, "csrf_token": csrf_token(client, REAUTH)})


def is_fresh(client: FlaskClient) -> bool:
    return client.get(PASSWORD_PAGE).status_code == 200


def test_a_passkey_only_member_is_not_confirmed_by_the_password_alone(
    client: FlaskClient, alice_key: SoftAuthenticator
) -> None:
    refused = confirm(client)
    assert refused.status_code == 200
    assert str(PASSKEY_NEEDED) in refused.get_data(as_text=True)
    assert not is_fresh(client)


def test_a_passkey_only_member_confirms_with_the_password_and_a_passkey(
    client: FlaskClient, alice_key: SoftAuthenticator
) -> None:
    page = client.get(REAUTH).get_data(as_text=True)
    assert 'data-passkey="get"' in page and REAUTH_OPTIONS in page
    assert 'name="code"' not in page  # no app, so no code to ask for
    answer = confirm(client, answer=passkey_answer(client, alice_key))
    assert answer.headers["Location"] == PASSWORD_PAGE
    assert is_fresh(client)


def test_a_wrong_password_with_a_good_passkey_is_refused(
    client: FlaskClient, alice_key: SoftAuthenticator
) -> None:
    refused = confirm(client, "not the password", passkey_answer(client, alice_key))
    assert str(WRONG_PASSWORD) in refused.get_data(as_text=True)
    assert not is_fresh(client)


def test_a_reauth_passkey_answer_works_once(
    client: FlaskClient, alice_key: SoftAuthenticator
) -> None:
    answer = passkey_answer(client, alice_key)
    assert confirm(client, answer=answer).status_code == 302
    make_stale(client)
    replayed = confirm(client, answer=answer)
    assert str(PASSKEY_REFUSED) in replayed.get_data(as_text=True)
    assert not is_fresh(client)


def test_another_members_passkey_does_not_confirm(
    client: FlaskClient, auth: AuthActions, make_user: MakeUser, alice_key: SoftAuthenticator
) -> None:
    make_user("bob")
    other = client.application.test_client()
    AuthActions(other).login("bob")
    bobs_key = authenticator()
    assert add_passkey(other, bobs_key).status_code == 302
    # Alice's challenge, answered by Bob's passkey.
    request = options(client, REAUTH_OPTIONS, REAUTH)
    refused = confirm(client, answer=bobs_key.get(request.get_data(as_text=True)))
    assert str(PASSKEY_REFUSED) in refused.get_data(as_text=True)
    assert not is_fresh(client)


@pytest.mark.parametrize("answer", ["junk", '{"response": {"clientDataJSON": "!!"}}', "x" * 20_000])
def test_a_bad_reauth_answer_is_a_message_never_a_500(
    client: FlaskClient, alice_key: SoftAuthenticator, answer: str
) -> None:
    refused = confirm(client, answer=answer)
    assert refused.status_code == 200
    assert not is_fresh(client)


def test_reauth_passkey_options_need_a_login_and_a_passkey(
    client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> None:
    anonymous = client.application.test_client()
    token = csrf_token(anonymous)
    assert anonymous.post(REAUTH_OPTIONS, headers={"X-CSRFToken": token}).status_code == 302
    make_user("carol")
    auth.login("carol")
    without = options(client, REAUTH_OPTIONS, REAUTH)
    assert without.status_code == 404
    assert json.loads(without.get_data(as_text=True)) == {"error": "no passkey"}
    assert 'data-passkey="get"' not in client.get(REAUTH).get_data(as_text=True)


def test_reauth_passkey_options_need_a_csrf_token(
    client: FlaskClient, alice_key: SoftAuthenticator
) -> None:
    assert client.post(REAUTH_OPTIONS).status_code == 400


def test_a_member_with_the_app_and_a_passkey_may_confirm_with_either(
    client: FlaskClient, alice_key: SoftAuthenticator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.functional.test_two_factor import code, enrol

    now = utcnow()
    clock = FixedClock(now - timedelta(seconds=now.timestamp() % 30, microseconds=0))
    monkeypatch.setattr("forumapp.auth.second_factor.factories.utcnow", clock)
    assert confirm(client, answer=passkey_answer(client, alice_key)).status_code == 302
    secret, _ = enrol(client, clock)
    make_stale(client)
    page = client.get(REAUTH).get_data(as_text=True)
    assert 'name="code"' in page and 'data-passkey="get"' in page
    assert str(CODE_NEEDED) in confirm(client).get_data(as_text=True)
    assert confirm(client, answer=passkey_answer(client, alice_key)).status_code == 302
    make_stale(client)
    clock.advance(seconds=30)
    assert confirm(client, code=code(secret, clock())).status_code == 302
    assert is_fresh(client)

"""Two-factor login through the test client: enrolment, the second login step, recovery
codes, reauthentication, staff enrolment and the login history."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.auth.decorators import FRESH_AT_KEY
from forumapp.auth.ports import ClientInfo
from forumapp.auth.second_factor.models import TotpCredential
from forumapp.auth.second_factor.ports import LoginAttempt, LoginOutcome
from forumapp.auth.second_factor.stores import SqlLoginHistory
from forumapp.config_rules import configuration_problems
from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token
from tests.fakes import FixedClock
from tests.functional.test_forum_query_counts import counted_queries

ENROL = "/settings/security/authenticator"
SECOND_STEP = "/auth/two-factor"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The services' clock, at the start of a 30-second step; tests move it on."""
    now = utcnow()
    clock = FixedClock(now - timedelta(seconds=now.timestamp() % 30, microseconds=0))
    monkeypatch.setattr("forumapp.auth.factories.utcnow", clock)
    monkeypatch.setattr("forumapp.auth.second_factor.factories.utcnow", clock)
    return clock


def code(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def enrol(client: FlaskClient, clock: FixedClock) -> tuple[str, list[str]]:
    """Turn two-factor login on for the logged-in member: the secret and recovery codes."""
    page = client.get(ENROL).get_data(as_text=True)
    secret = re.search(r'id="totp-secret" type="text" value="([A-Z2-7]+)"', page)
    sealed = re.search(r'id="enrolment" name="enrolment" type="hidden" value="([^"]+)"', page)
    assert secret and sealed, page
    answer = client.post(
        ENROL,
        data={
            "enrolment": sealed.group(1),
            "code": code(secret.group(1), clock()),
            "csrf_token": csrf_token(client, ENROL),
        },
    )
    assert answer.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", answer.get_data(True))
    assert len(codes) == 10
    clock.advance(seconds=30)  # the confirming code is spent
    return secret.group(1), codes


def second_step(client: FlaskClient, value: str, path: str = SECOND_STEP) -> Any:
    return client.post(path, data={"code": value, "csrf_token": csrf_token(client, path)})


def logged_in(client: FlaskClient) -> bool:
    return client.get("/settings/security").status_code == 200


@dataclass
class Alice:
    """Alice, with an authenticator app, and her browser (logged out to begin with)."""

    client: FlaskClient
    auth: AuthActions
    clock: FixedClock
    secret: str
    codes: list[str]

    def code(self) -> str:
        """The code her app shows now."""
        return code(self.secret, self.clock())

    def login(self, value: str | None = None) -> Any:
        """Log in with her password, then with ``value`` (the current code by default)."""
        self.auth.login()
        return second_step(self.client, self.code() if value is None else value)


@pytest.fixture
def alice(client: FlaskClient, auth: AuthActions, make_user: MakeUser, clock: FixedClock) -> Alice:
    make_user("alice")
    assert auth.login().status_code == 302
    secret, codes = enrol(client, clock)
    auth.logout()
    return Alice(client, auth, clock, secret, codes)


def test_enrol_logout_login_needs_code_wrong_refused_right_works_replay_refused(
    alice: Alice,
) -> None:
    answer = alice.auth.login()
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(SECOND_STEP)
    assert not logged_in(alice.client), "no session before the second step"

    wrong = second_step(alice.client, "000000")
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert not logged_in(alice.client)

    right = alice.code()
    assert second_step(alice.client, right).status_code == 302
    assert logged_in(alice.client)

    alice.auth.logout()
    assert alice.login(right).status_code == 200, "the same code, replayed"
    assert not logged_in(alice.client)


def test_a_pending_login_is_single_use(alice: Alice) -> None:
    alice.auth.login()
    with alice.client.session_transaction() as session:
        pending = dict(session["_pending_login"])
    assert second_step(alice.client, alice.code()).status_code == 302
    alice.auth.logout()
    # Someone replays the browser's earlier pending state, with a fresh code.
    with alice.client.session_transaction() as session:
        session["_pending_login"] = pending
    alice.clock.advance(seconds=30)
    answer = second_step(alice.client, alice.code())
    assert answer.headers["Location"].startswith("/auth/login")
    assert not logged_in(alice.client)


def test_a_pending_login_expires(alice: Alice) -> None:
    alice.auth.login()
    alice.clock.advance(minutes=5, seconds=30)
    answer = second_step(alice.client, alice.code())
    assert answer.headers["Location"].startswith("/auth/login")
    assert not logged_in(alice.client)


def test_the_second_step_without_a_pending_login_goes_to_the_login(client: FlaskClient) -> None:
    assert client.get(SECOND_STEP).headers["Location"].startswith("/auth/login")


def test_a_recovery_code_works_once_and_mails_a_notice(alice: Alice, outbox: list[Any]) -> None:
    assert alice.login(alice.codes[0]).status_code == 302
    assert logged_in(alice.client)
    [notice] = outbox
    assert notice.to == ["alice@example.org"]
    assert "recovery code" in notice.subject
    assert "9 unused recovery codes left" in notice.body
    alice.auth.logout()
    assert alice.login(alice.codes[0]).status_code == 200
    assert not logged_in(alice.client)


def test_remember_me_and_next_survive_the_second_step(alice: Alice) -> None:
    client = alice.client
    data = {"login": "alice", "password": PASSWORD, "remember_me": "y"}
    answer = client.post(
        "/auth/login?next=/members", data={**data, "csrf_token": csrf_token(client)}
    )
    path = answer.headers["Location"]
    assert path == f"{SECOND_STEP}?next=/members"
    done = second_step(client, alice.code(), path)
    assert done.headers["Location"] == "/members"
    assert "forumapp_remember=" in "; ".join(done.headers.getlist("Set-Cookie"))


def test_wrong_second_step_codes_are_rate_limited_per_account(alice: Alice) -> None:
    statuses = []
    for _ in range(3):
        alice.auth.login()
        statuses += [second_step(alice.client, "000000").status_code for _ in range(3)]
    assert statuses[:5] == [200] * 5
    assert 429 in statuses[5:]


def test_disabling_needs_reauth_with_the_code_and_mails_a_notice(
    alice: Alice, outbox: list[Any]
) -> None:
    client = alice.client
    alice.login()
    with client.session_transaction() as session:
        session[FRESH_AT_KEY] = time.time() - 3600
    disable = "/settings/security/two-factor/disable"
    reauth = client.get(disable).headers["Location"]
    assert reauth.startswith("/auth/reauth")
    assert 'name="code"' in client.get(reauth).get_data(as_text=True)
    token = csrf_token(client, reauth)
    refused = client.post(reauth, data={"password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 200
    assert client.get(disable).status_code == 302, "still not fresh"
    alice.clock.advance(seconds=30)
    confirmed = client.post(
        reauth, data={"password": PASSWORD, "code": alice.code(), "csrf_token": token}
    )
    assert confirmed.headers["Location"] == disable
    assert client.post(disable, data={"csrf_token": csrf_token(client, disable)}).status_code == 302
    [notice] = outbox
    assert "turned off" in notice.subject
    alice.auth.logout()
    assert alice.auth.login().headers["Location"] == "/", "the password alone logs in again"


def test_recovery_codes_can_be_made_anew_and_the_old_ones_stop_working(alice: Alice) -> None:
    alice.login()
    page = "/settings/security/recovery-codes"
    answer = alice.client.post(page, data={"csrf_token": csrf_token(alice.client, page)})
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", answer.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(alice.codes)
    alice.auth.logout()
    assert alice.login(alice.codes[1]).status_code == 200
    assert second_step(alice.client, new[1]).status_code == 302


def test_the_totp_secret_is_never_shown_again_nor_stored_in_clear(app: Flask, alice: Alice) -> None:
    with app.app_context():
        stored = db.session.scalar(select(TotpCredential.secret))
    assert stored and alice.secret not in stored
    alice.login()
    assert alice.secret not in alice.client.get("/settings/security").get_data(as_text=True)
    answer = alice.client.get(ENROL)
    assert answer.headers["Location"].endswith("/settings/security")
    assert alice.secret not in alice.client.get("/settings/security").get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"TWO_FACTOR_REQUIRED_FOR_STAFF": True}])
@pytest.mark.parametrize("group", [GroupKey.ADMIN, GroupKey.MOD])
def test_staff_are_sent_to_enrolment_before_the_panel(
    client: FlaskClient,
    auth: AuthActions,
    make_user: MakeUser,
    clock: FixedClock,
    group: GroupKey,
) -> None:
    make_user("staff", group=group)
    auth.login("staff")
    panel = "/admin/" if group is GroupKey.ADMIN else "/admin/reports"
    answer = client.get(panel)
    assert answer.status_code == 302
    assert answer.headers["Location"] == ENROL
    enrol(client, clock)
    assert client.get(panel).status_code == 200


def test_staff_without_a_second_factor_use_the_panel_unless_it_is_required(
    client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> None:
    make_user("admin", group=GroupKey.ADMIN)
    auth.login("admin")
    assert client.get("/admin/").status_code == 200


def test_the_login_history_lists_attempts(alice: Alice) -> None:
    alice.client.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"
    alice.auth.login(password="wrong password")
    alice.login("000000")
    second_step(alice.client, alice.code())
    page = alice.client.get("/settings/security").get_data(as_text=True)
    rows = re.findall(r'<tr>\s*<td data-label="Time"><time.*?</tr>', page, re.S)
    assert len(rows) == 4  # and the login before the enrolment, last
    assert "Authenticator app" in rows[0] and "Logged in" in rows[0]
    assert "Wrong two-factor code" in rows[1]
    assert "Wrong password" in rows[2]
    assert "Firefox 133 on Linux" in rows[0]


def test_the_login_history_keeps_the_newest_fifty(app: Flask, make_user: MakeUser) -> None:
    user = make_user("alice")
    history = SqlLoginHistory(db.session, keep=50)
    with app.app_context():
        for n in range(52):
            client = ClientInfo(f"192.0.2.{n}", "pytest")
            history.record(LoginAttempt(user.id, utcnow(), client, LoginOutcome.FAILURE))
            db.session.commit()
        kept = [event.ip_address for event in history.recent(user.id)]
    assert len(kept) == 50
    assert kept[0] == "192.0.2.51" and kept[-1] == "192.0.2.2"


def test_the_security_page_costs_the_same_queries_whatever_the_history_holds(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> None:
    make_user("alice")
    auth.login()

    def queries() -> int:
        client.get("/settings/security")
        with counted_queries(app) as statements:
            assert client.get("/settings/security").status_code == 200
        return len(statements)

    few = queries()
    intruder = AuthActions(app.test_client())
    for _ in range(4):
        intruder.login(password="wrong password")
    assert "Wrong password" in client.get("/settings/security").get_data(as_text=True)
    assert queries() == few


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"enrolment": "not sealed", "code": "123456"},
        {"enrolment": "é" * 40, "code": "123456"},
        {"enrolment": "x" * 5000, "code": "1" * 5000},
        {"code": "12\x003456"},
    ],
)
def test_bad_enrolment_input_gives_an_answer_never_a_500(
    client: FlaskClient, auth: AuthActions, make_user: MakeUser, data: dict[str, str]
) -> None:
    make_user("alice")
    auth.login()
    answer = client.post(ENROL, data={**data, "csrf_token": csrf_token(client, ENROL)})
    assert answer.status_code in (200, 302)
    with client.application.app_context():
        assert db.session.scalar(select(TotpCredential.user_id)) is None


#: Full-width digits look like a code and are not one.
WIDE_DIGITS = "\uff11\uff12\uff13\uff14\uff15\uff16"


@pytest.mark.parametrize("value", ["", "x" * 5000, "12\x003456", WIDE_DIGITS])
def test_bad_second_step_input_gives_field_errors(alice: Alice, value: str) -> None:
    answer = alice.login(value)
    assert answer.status_code == 200
    assert 'class="field-errors"' in answer.get_data(as_text=True)
    assert not logged_in(alice.client)


def test_the_staff_requirement_is_a_boolean_setting() -> None:
    problems = configuration_problems({"TWO_FACTOR_REQUIRED_FOR_STAFF": "no"})
    assert problems == ["TWO_FACTOR_REQUIRED_FOR_STAFF must be true or false, got 'no'."]
    assert configuration_problems({"TWO_FACTOR_REQUIRED_FOR_STAFF": True}) == []

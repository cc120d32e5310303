"""The security notices through the app: the new sign-in notice and its opt-out, the
two-factor notices, and what every notice says (what, when, which browser, what to do)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from forumapp.extensions import db
from forumapp.users.models import User
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token, links_in
from tests.fakes import FixedClock
from tests.functional.test_forum_query_counts import counted_queries
from tests.functional.test_two_factor import ENROL, clock, enrol, second_step

__all__ = ["clock"]  # the two-factor tests' clock fixture, used here too

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NEW_SIGN_IN = "New login to your account"
RESET_LINK = "http://forum.test/auth/reset-password"


def browser(app: Flask, user_agent: str = FIREFOX) -> FlaskClient:
    """A browser that has never been used with the forum."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def log_in(client: FlaskClient, login: str = "alice", password: str = PASSWORD) -> Any:
    return AuthActions(client).login(login, password)


def set_member(app: Flask, username: str, **values: Any) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(**values))
        db.session.commit()


def assert_four_parts(message: Any, happened: str) -> None:
    """What happened, when (UTC), from which browser and network, and what to do."""
    for body in (message.body, message.alternatives[0][0]):
        assert happened in body
        assert " UTC" in body
        assert "Firefox 128 on Ubuntu" in body
        assert "127.0.0.x" in body
        assert "If this was not you" in body
        assert RESET_LINK in body


@pytest.fixture
def alice(app: Flask, make_user: MakeUser) -> FlaskClient:
    """Alice, who logged in once (a first login sends no notice) from her usual browser."""
    make_user("alice")
    usual = browser(app)
    assert log_in(usual).status_code == 302
    return usual


def test_a_login_from_a_new_device_emails_the_owner_with_the_four_parts(
    app: Flask, alice: FlaskClient, outbox: list[Any]
) -> None:
    assert log_in(browser(app)).status_code == 302
    [notice] = outbox
    assert notice.to == ["alice@example.org"]
    assert notice.subject.endswith(NEW_SIGN_IN)
    assert_four_parts(notice, "from a browser it had not been used")


def test_the_notice_shows_the_time_in_the_members_zone_too(
    app: Flask, alice: FlaskClient, outbox: list[Any]
) -> None:
    set_member(app, "alice", timezone="Asia/Tokyo")
    assert log_in(browser(app)).status_code == 302
    [notice] = outbox
    assert "Asia/Tokyo" in notice.body and "Asia/Tokyo" in notice.alternatives[0][0]


def test_a_login_from_a_known_device_sends_nothing(alice: FlaskClient, outbox: list[Any]) -> None:
    AuthActions(alice).logout()
    assert log_in(alice).status_code == 302
    assert outbox == []


def test_the_same_user_agent_alone_does_not_make_a_device_known(
    app: Flask, alice: FlaskClient, outbox: list[Any]
) -> None:
    # A thief can copy the owner's User-Agent; only the device cookie counts.
    assert log_in(browser(app, FIREFOX)).status_code == 302
    assert [message.subject for message in outbox] == [f"[forumapp] {NEW_SIGN_IN}"]


def test_a_first_login_ever_sends_no_notice(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    make_user("alice")
    assert log_in(browser(app)).status_code == 302
    assert outbox == []


def test_the_opt_out_on_the_preferences_page_is_honoured(
    app: Flask, alice: FlaskClient, outbox: list[Any]
) -> None:
    page = alice.get("/settings/preferences").get_data(as_text=True)
    assert 'id="notify_new_sign_in"' in page and "checked" in page
    assert 'aria-describedby="notify_new_sign_in-hint"' in page
    form = {
        "language": "en",
        "timezone": "UTC",
        "posts_per_page": "",
        "csrf_token": csrf_token(alice, "/settings/preferences"),
    }
    assert alice.post("/settings/preferences", data=form).status_code == 302
    assert log_in(browser(app)).status_code == 302
    assert outbox == []
    # And back on: the notice comes again.
    form["notify_new_sign_in"] = "y"
    assert alice.post("/settings/preferences", data=form).status_code == 302
    assert log_in(browser(app)).status_code == 302
    assert [message.subject for message in outbox] == [f"[forumapp] {NEW_SIGN_IN}"]


def test_a_refused_login_sends_no_notice(app: Flask, alice: FlaskClient, outbox: list[Any]) -> None:
    assert log_in(browser(app), password="not the password at all").status_code == 200
    set_member(app, "alice", activated=False)
    app.config["ACCOUNT_ACTIVATION_REQUIRED"] = True
    assert log_in(browser(app)).status_code == 200
    assert outbox == []


def test_a_login_that_rolls_back_sends_no_notice(
    app: Flask, alice: FlaskClient, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> str:
        raise RuntimeError("the session table is gone")

    monkeypatch.setattr("forumapp.auth.stores.SqlSessionStore.create", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert log_in(browser(app)).status_code == 500
    assert outbox == []


def test_a_login_costs_no_extra_query_for_the_notice(
    app: Flask, alice: FlaskClient, outbox: list[Any]
) -> None:
    def queries(client: FlaskClient) -> int:
        token = csrf_token(client)
        with counted_queries(app) as statements:
            data = {"login": "alice", "password": PASSWORD, "csrf_token": token}
            assert client.post("/auth/login", data=data).status_code == 302
        # The email's job (its outbox row, run at once in tests) is what any email costs;
        # deciding whether to send the notice must cost nothing.
        return len([statement for statement in statements if " jobs" not in statement])

    AuthActions(alice).logout()
    known = queries(alice)
    new = queries(browser(app))
    assert len(outbox) == 1
    set_member(app, "alice", notify_new_sign_in=False)
    opted_out = queries(browser(app))
    assert known == new == opted_out


def test_turning_two_factor_on_and_off_emails_the_owner_with_the_four_parts(
    app: Flask, alice: FlaskClient, outbox: list[Any], clock: FixedClock
) -> None:
    enrol(alice, clock)
    [enabled] = outbox
    assert enabled.subject.endswith("Two-factor login was turned on")
    assert_four_parts(enabled, "Two-factor login was just turned on")
    page = "/settings/security/two-factor/disable"
    response = alice.post(page, data={"csrf_token": csrf_token(alice, page)})
    assert response.status_code == 302
    _, disabled = outbox
    assert_four_parts(disabled, "Two-factor login was just turned off")


def test_a_failed_enrolment_sends_no_notice(
    alice: FlaskClient, outbox: list[Any], clock: FixedClock
) -> None:
    page = alice.get(ENROL).get_data(as_text=True)
    assert "totp-secret" in page
    form = {"enrolment": "forged", "code": "000000", "csrf_token": csrf_token(alice, ENROL)}
    # A forged set-up field is refused with a message, and nothing changes.
    assert alice.post(ENROL, data=form).status_code == 302
    assert outbox == []


def test_a_recovery_code_notice_has_the_four_parts(
    app: Flask, alice: FlaskClient, outbox: list[Any], clock: FixedClock
) -> None:
    _, codes = enrol(alice, clock)
    AuthActions(alice).logout()
    outbox.clear()
    assert log_in(alice).status_code == 302
    assert second_step(alice, codes[0]).status_code == 302
    [notice] = outbox
    assert_four_parts(notice, "recovery codes of your forumapp account was just used")


def test_the_password_and_email_notices_share_the_four_parts(
    app: Flask, alice: FlaskClient, outbox: list[Any]
) -> None:
    page = "/settings/email"
    form = {"email": "new@example.org", "password": PASSWORD, "csrf_token": csrf_token(alice, page)}
    assert alice.post(page, data=form).status_code == 302
    [notice] = [message for message in outbox if message.to == ["alice@example.org"]]
    assert_four_parts(notice, "asked to change its email address")


def reset_password_to(app: Flask, make_user: MakeUser, outbox: list[Any], password: str) -> int:
    """Have alice ask for a reset link in a new browser, follow it and set ``password``:
    the status of the answer."""
    make_user("alice")
    client = browser(app)
    page = "/auth/reset-password"
    client.post(page, data={"email": "alice@example.org", "csrf_token": csrf_token(client, page)})
    (reset,) = outbox
    link = next(link for link in links_in(reset) if "/auth/reset-password/" in link)
    form_page = str(client.get(link.removeprefix("http://forum.test")).location)
    form = {"password": password, "confirm_password": password}
    form["csrf_token"] = csrf_token(client, form_page)
    return client.post(form_page, data=form).status_code


def test_the_password_reset_notice_has_the_four_parts(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    assert reset_password_to(app, make_user, outbox, "a whole new passphrase") == 302
    _, notice = outbox
    assert notice.subject.endswith("Your password was changed")
    assert_four_parts(notice, "changed with a reset link")


def test_a_reset_with_a_password_that_breaks_the_rules_sends_no_notice(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    assert reset_password_to(app, make_user, outbox, "alice") == 200
    assert len(outbox) == 1  # the reset link only


def test_the_goodbye_email_says_when_and_from_which_browser(
    app: Flask, alice: FlaskClient, outbox: list[Any]
) -> None:
    set_member(app, "alice", timezone="Europe/Oslo")
    page = "/settings/delete"
    form = {"confirmation": "alice", "csrf_token": csrf_token(alice, page)}
    assert alice.post(page, data=form).status_code == 302
    [goodbye] = outbox
    for body in (goodbye.body, goodbye.alternatives[0][0]):
        assert "deleted at your request" in body
        assert " UTC" in body and "Europe/Oslo" in body
        assert "Firefox 128 on Ubuntu" in body and "127.0.0.x" in body
        assert "If you did not ask for this" in body

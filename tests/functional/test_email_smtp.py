"""Account emails delivered over real SMTP to an aiosmtpd sink, and the links in them used."""

from __future__ import annotations

import html
import logging
import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.mail import MailFailure
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token, register
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.servers import free_port
from tests.smtp import MAIL_WAIT_SECONDS, ReceivedMail, SmtpSink

EXTERNAL_URL = "http://forum.test"
NEW_PASSWORD = "a brand new passphrase for alice"


@pytest.fixture
def mail_port(smtp_sink: SmtpSink) -> int:
    return smtp_sink.port


@pytest.fixture
def extra_config() -> dict[str, Any]:
    """Parametrize to add settings on top of the SMTP ones."""
    return {}


@pytest.fixture
def config_overrides(mail_port: int, extra_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_port,
        "MAIL_TIMEOUT": 5,
        **extra_config,
    }


def forgot_password(client: FlaskClient, email: str) -> Any:
    data = {"email": email, "csrf_token": csrf_token(client, "/auth/reset-password")}
    return client.post("/auth/reset-password", data=data)


def forgot_password_served(client: FlaskClient, email: str) -> Any:
    """:func:`forgot_password`, its response then closed as a server closes it once sent:
    the deferred work (the address lookup, the email) runs then."""
    response = forgot_password(client, email)
    response.close()
    return response


def path_of(link: str) -> str:
    assert link.startswith(EXTERNAL_URL + "/")
    return link.removeprefix(EXTERNAL_URL)


def assert_well_formed(mail: ReceivedMail, to: str, subject: str) -> None:
    """Addressed right, multipart/alternative, and the same links in text and HTML."""
    assert mail.rcpt_tos == [to]
    assert mail.message["To"] == to
    assert mail.mail_from == "noreply@localhost"
    assert subject in mail.subject
    assert mail.message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in mail.message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    hrefs = {html.unescape(href) for href in re.findall(r'href="([^"]+)"', mail.html)}
    assert set(mail.links()) <= hrefs
    assert mail.message["Message-ID"]


def test_register_activation_email_over_smtp_then_activate_and_log_in(
    app: Flask, client: FlaskClient, smtp_sink: SmtpSink, auth: AuthActions
) -> None:
    response = register(client)
    assert response.status_code == 302
    assert response.location == "/auth/login"

    (mail,) = smtp_sink.wait_for(1)
    assert_well_formed(mail, "bob@example.org", "Activate your account")
    assert "Hello bob" in mail.text
    link = mail.link_to("/auth/activate/confirm/")
    token = link.rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_\-.]{20,}", token)
    assert token in mail.text  # the code to paste by hand

    response = client.get(path_of(link))
    assert response.status_code == 302
    assert response.location == "/auth/login"
    assert "Your account is activated" in client.get("/auth/login").get_data(as_text=True)
    assert auth.login("bob").status_code == 302
    assert "Logged in as <strong>bob</strong>" in client.get("/").get_data(as_text=True)

    # Clicked again later, from any browser: the link is spent.
    again = app.test_client().get(path_of(link))
    assert again.status_code == 400
    assert "cannot be used" in again.get_data(as_text=True)
    assert len(smtp_sink.received) == 1


def test_registering_a_taken_address_emails_its_owner_over_smtp(
    client: FlaskClient, smtp_sink: SmtpSink, make_user: MakeUser
) -> None:
    make_user("alice")

    response = register(client, username="mallory", email="ALICE@example.org")

    assert response.status_code == 302
    assert response.location == "/auth/login"
    (mail,) = smtp_sink.wait_for(1)
    assert_well_formed(mail, "alice@example.org", "tried to register")
    assert mail.link_to("/auth/login")
    assert mail.link_to("/auth/reset-password")


def test_forgot_password_reset_over_smtp_and_password_changed_notice(
    app: Flask, client: FlaskClient, smtp_sink: SmtpSink, make_user: MakeUser, auth: AuthActions
) -> None:
    make_user("alice")

    response = forgot_password(client, "alice@example.org")
    assert response.status_code == 302
    assert response.location == "/auth/login"

    (reset,) = smtp_sink.wait_for(1)
    assert_well_formed(reset, "alice@example.org", "Reset your password")
    link = reset.link_to("/auth/reset-password/")
    response = client.get(path_of(link))
    assert response.status_code == 302
    assert response.location == "/auth/reset-password/set-password"
    form_page = client.get("/auth/reset-password/set-password")
    assert form_page.status_code == 200
    assert 'name="password"' in form_page.get_data(as_text=True)
    assert form_page.headers["Referrer-Policy"] == "no-referrer"

    token = csrf_token(client, "/auth/reset-password/set-password")
    response = client.post(
        "/auth/reset-password/set-password",
        data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.location == "/auth/login"

    changed = smtp_sink.wait_for(2)[1]
    assert_well_formed(changed, "alice@example.org", "Your password was changed")
    assert changed.link_to("/auth/reset-password")

    old = auth.login("alice", PASSWORD)
    assert old.status_code == 200
    assert "Wrong username, email address or password" in old.get_data(as_text=True)
    assert auth.login("alice", NEW_PASSWORD).status_code == 302
    assert "Logged in as <strong>alice</strong>" in client.get("/").get_data(as_text=True)

    # The emailed link is spent once the password changed.
    spent = app.test_client().get(path_of(link))
    assert spent.status_code == 400
    assert "cannot be used" in spent.get_data(as_text=True)


def normalized(page: str, email: str) -> str:
    """``page`` without what legitimately differs between two requests."""
    page = page.replace(email, "EMAIL")
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "CSRF", page)


@pytest.mark.parametrize("extra_config", [{"MAIL_SEND_ASYNC": True}])
def test_async_delivery_arrives_and_forgot_password_answers_alike(
    app: Flask, smtp_sink: SmtpSink, make_user: MakeUser
) -> None:
    assert app.config["MAIL_SEND_ASYNC"] is True
    make_user("alice")
    answers = []
    for address in ("alice@example.org", "nobody@example.org"):
        client = app.test_client()
        response = forgot_password_served(client, address)
        follow_up = client.get(response.location)
        answers.append(
            (
                response.status_code,
                response.location,
                normalized(response.get_data(as_text=True), address),
                sorted(name for name, _ in response.headers if not name.startswith("X-RateLimit")),
                follow_up.status_code,
                normalized(follow_up.get_data(as_text=True), address),
            )
        )

    known, unknown = answers
    assert known == unknown
    assert known[0] == 302
    assert "If an account uses EMAIL" in known[5]

    (mail,) = smtp_sink.wait_for(1)
    assert_well_formed(mail, "alice@example.org", "Reset your password")
    time.sleep(0.2)
    assert [m.rcpt_tos for m in smtp_sink.received] == [["alice@example.org"]]


@pytest.mark.parametrize("extra_config", [{"MAIL_SEND_ASYNC": True}])
def test_async_registration_email_arrives(client: FlaskClient, smtp_sink: SmtpSink) -> None:
    assert register(client).status_code == 302

    (mail,) = smtp_sink.wait_for(1)
    assert_well_formed(mail, "bob@example.org", "Activate your account")


def wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while not any(text in record.getMessage() for record in caplog.records):
        assert time.monotonic() < deadline, f"no log record with {text!r}"
        time.sleep(0.02)


@pytest.mark.parametrize(
    "extra_config", [{"MAIL_SEND_ASYNC": False}, {"MAIL_SEND_ASYNC": True}], ids=["sync", "async"]
)
class TestSmtpServerDown:
    """Nothing listens on the mail port: the pages still answer, and the failure is logged."""

    @pytest.fixture
    def mail_port(self) -> int:
        return free_port()

    def test_register_does_not_fail(
        self, client: FlaskClient, caplog: pytest.LogCaptureFixture, auth: AuthActions
    ) -> None:
        caplog.set_level(logging.ERROR, logger="forumapp")

        response = register(client)

        assert response.status_code == 302
        assert response.location == "/auth/login"
        assert "We have sent an email" in client.get("/auth/login").get_data(as_text=True)
        wait_for_log(caplog, "Could not send email")
        # The account exists and waits for activation (a new link can be requested).
        assert "not activated yet" in auth.login("bob").get_data(as_text=True)

    def test_forgot_password_does_not_fail(
        self, client: FlaskClient, make_user: MakeUser, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.ERROR, logger="forumapp")
        make_user("alice")

        response = forgot_password_served(client, "alice@example.org")

        assert response.status_code == 302
        assert response.location == "/auth/login"
        wait_for_log(caplog, "Could not send email")

    def test_a_failed_email_is_recorded_with_its_reason_and_shown_on_the_dashboard(
        self,
        app: Flask,
        client: FlaskClient,
        world: World,
        auth: AuthActions,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.ERROR, logger="forumapp")

        response = forgot_password_served(client, "mod_b@example.org")
        assert response.status_code == 302

        wait_for_log(caplog, "Connection refused")
        (failure,) = failures_for(app, "mod_b@example.org")
        assert "Reset your password" in failure.subject
        assert "ConnectionRefusedError" in failure.reason
        login_as(auth, world, "admin")
        dashboard = client.get("/admin/").get_data(as_text=True)
        assert "1</strong> email could not be sent" in dashboard
        assert "ConnectionRefusedError" in dashboard


def failures_for(app: Flask, recipient: str) -> list[MailFailure]:
    """The recorded failures to email ``recipient`` (recorded before they are logged)."""
    with app.app_context():
        query = select(MailFailure).where(MailFailure.recipient == recipient)
        failures = list(db.session.scalars(query.order_by(MailFailure.id)))
        db.session.expunge_all()
    return failures


@pytest.mark.parametrize(
    "extra_config", [{"MAIL_SEND_ASYNC": False}, {"MAIL_SEND_ASYNC": True}], ids=["sync", "async"]
)
def test_an_email_the_backend_refuses_to_write_is_never_silently_lost(
    app: Flask,
    client: FlaskClient,
    smtp_sink: SmtpSink,
    make_user: MakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A line break in the subject, as a site name saved before control characters were
    # refused would put there: the mail library refuses to write the header.
    app.config["SITE_NAME"] = "Maker\nSpace"
    caplog.set_level(logging.ERROR, logger="forumapp")
    make_user("carol")

    response = forgot_password_served(client, "carol@example.org")

    assert response.status_code == 302
    wait_for_log(caplog, "Could not send email")
    (failure,) = failures_for(app, "carol@example.org")
    assert "BadHeaderError" in failure.reason
    assert failure.subject.startswith("[Maker\\nSpace]")
    assert smtp_sink.received == []

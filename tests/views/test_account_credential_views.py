"""The credentials views with fake services injected through ``AccountFactories``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import LoginManager

from forumapp.account import create_account_blueprint, default_factories
from forumapp.account.credentials.views import ChangePassword, EndSession
from forumapp.auth import create_auth_blueprint
from forumapp.auth.decorators import FRESH_AT_KEY, fresh_login_required, login_required
from forumapp.auth.exceptions import StopValidation, TokenError, ValidationError
from forumapp.auth.limits import reauth_per_account, reauth_per_client
from forumapp.forum.errors import NotFound
from tests.fakes import FakeUser

ALICE = FakeUser(1, "alice", "alice@example.org", "fake$1$pw", session_token="alice-token")


class RefusingPasswordChanger:
    """Says the current password is wrong, whatever it is."""

    def change(self, user: Any, current: str, new: str, **_: Any) -> str:
        raise StopValidation([ValidationError("current_password", "Refused by the fake.")])


class MissingSessions:
    """A session manager that finds no session at all."""

    def end(self, user_id: int, session_id: int) -> None:
        raise NotFound


class RefusingEmailChanger:
    """Refuses every address and knows no link."""

    def request_change(self, user: Any, new_email: str, client: Any) -> None:
        raise StopValidation([ValidationError("email", "Refused by the fake.")])

    def check_confirmation(self, token: str) -> str:
        raise TokenError("The fake knows no link.")


@pytest.fixture
def client() -> FlaskClient:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    LoginManager(app).user_loader(lambda token: ALICE if token == "alice-token" else None)
    app.register_blueprint(create_auth_blueprint())
    app.register_blueprint(
        create_account_blueprint(
            replace(
                default_factories(),
                password_changer=RefusingPasswordChanger,  # type: ignore[arg-type]
                email_changer=RefusingEmailChanger,  # type: ignore[arg-type]
                session_manager=MissingSessions,  # type: ignore[arg-type]
            )
        )
    )
    app.add_url_rule("/", "forum.index", lambda: "home")
    client = app.test_client()
    with client.session_transaction() as state:
        state["_user_id"] = "alice-token"
        state[FRESH_AT_KEY] = 10**12
    return client


def test_the_password_view_declares_its_checks_as_class_decorators() -> None:
    assert ChangePassword.decorators == [
        reauth_per_account,
        fresh_login_required,
        reauth_per_client,
    ]
    assert EndSession.decorators == [login_required]
    assert EndSession.methods == ["POST"]


def test_the_password_view_shows_the_services_reason_on_its_field(client: FlaskClient) -> None:
    response = client.post(
        "/settings/password",
        data={"current_password": "x", "password": "new pass", "confirm_password": "new pass"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="current_password-error"' in page
    assert "Refused by the fake." in page


def test_the_blueprint_answers_a_services_not_found_with_404(client: FlaskClient) -> None:
    assert client.post("/settings/sessions/7/end").status_code == 404


def test_the_email_view_shows_the_services_reason_on_its_field(client: FlaskClient) -> None:
    response = client.post("/settings/email", data={"email": "new@example.org"})
    assert response.status_code == 200
    assert "Refused by the fake." in response.get_data(as_text=True)


def test_an_unusable_link_shows_the_services_reason(client: FlaskClient) -> None:
    response = client.get("/settings/email/confirm/anything")
    assert response.status_code == 400
    assert "The fake knows no link." in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"

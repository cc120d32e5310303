"""The setup view with a fake service injected through ``as_view``: a second setup
blueprint over :class:`~forumapp.setup.SetupFactories` of fakes, mounted in a real app,
so what the page does comes from the fake alone (no code file, no database writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.setup import SetupFactories, create_setup_blueprint
from forumapp.setup.limits import setup_per_client
from forumapp.setup.services import SetupRequest, WrongSetupCode
from forumapp.setup.views import Setup
from tests.conftest import PASSWORD, csrf_token


@dataclass
class FakeAdmin:
    """The fields the view reads of the new administrator."""

    username: str


@dataclass
class FakeSetup:
    """A setup service that answers as told and records each request."""

    open: bool = True
    refusal: Exception | None = None
    requests: list[SetupRequest] = field(default_factory=list)

    def ensure_open(self) -> None:
        if not self.open:
            raise NotFound()

    def complete(self, request: SetupRequest, current_site_name: str) -> FakeAdmin:
        self.requests.append(request)
        if self.refusal is not None:
            raise self.refusal
        return FakeAdmin(request.username)


@pytest.fixture
def fake(app: Flask) -> FakeSetup:
    """The fake behind ``/fake/setup``."""
    service = FakeSetup()
    factories = SetupFactories(first_run_setup=lambda: service)  # type: ignore[arg-type,return-value]
    app.register_blueprint(create_setup_blueprint(factories, name="fake_setup", url_prefix="/fake"))
    return service


def post(client: FlaskClient, **fields: str) -> str:
    """Submit the fake setup form; returns the response's page or redirect target."""
    data = {
        "code": "abcd-efgh-jkmn-pqrs",
        "site_name": "Climbers",
        "username": "owner",
        "email": "owner@example.org",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "csrf_token": csrf_token(client, "/auth/login"),
        **fields,
    }
    response = client.post("/fake/setup", data=data)
    return response.headers.get("Location") or response.get_data(as_text=True)


def test_setup_view_declares_its_rate_limit_and_keeps_nothing_per_request() -> None:
    view = Setup.as_view("setup", setup_factory=lambda: None)
    assert view.view_class is Setup  # type: ignore[union-attr]
    assert Setup.decorators == [setup_per_client]
    assert Setup.init_every_request is False
    assert view.methods == {"GET", "POST"}  # type: ignore[union-attr]


def test_the_view_hands_the_form_to_the_service_and_redirects_to_login(
    app: Flask, client: FlaskClient, fake: FakeSetup
) -> None:
    target = post(client)

    assert target.endswith("/auth/login")
    (request,) = fake.requests
    assert (request.code, request.site_name, request.username) == (
        "abcd-efgh-jkmn-pqrs",
        "Climbers",
        "owner",
    )
    assert request.ip_address == "127.0.0.1"
    assert app.config["SITE_NAME"] == "Climbers"


def test_a_closed_setup_is_a_404_from_the_blueprint_handler(
    client: FlaskClient, fake: FakeSetup
) -> None:
    fake.open = False

    assert client.get("/fake/setup").status_code == 404
    assert "Page not found" in client.get("/fake/setup").get_data(as_text=True)
    assert fake.requests == []


def test_a_wrong_code_from_the_service_is_a_field_error(
    client: FlaskClient, fake: FakeSetup
) -> None:
    fake.refusal = WrongSetupCode()

    page = post(client)

    assert 'id="code-error"' in page
    assert "not the setup code" in page


def test_invalid_input_from_the_service_lands_on_its_field(
    client: FlaskClient, fake: FakeSetup
) -> None:
    fake.refusal = InvalidInput("email", "Refused by the fake.")

    page = post(client)

    assert 'id="email-error"' in page
    assert "Refused by the fake." in page


def test_form_errors_never_reach_the_service(client: FlaskClient, fake: FakeSetup) -> None:
    page = post(client, confirm_password="different")

    assert 'id="confirm_password-error"' in page
    assert fake.requests == []


@pytest.fixture(autouse=True)
def _private_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(tmp_path / "instance"))

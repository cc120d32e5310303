"""A person's whole journey through the auth blueprint, over the test client."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.users.models import User
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token, links_in, register


def path_of(link: str) -> str:
    return link.removeprefix("http://forum.test")


def test_register_activate_login_reauth_logout_reset(
    client: FlaskClient, outbox: list[Any], auth: AuthActions
) -> None:
    response = register(client)
    assert response.status_code == 302
    assert response.location == "/auth/login"
    assert "We have sent an email to bob@example.org" in client.get("/auth/login").get_data(
        as_text=True
    )

    # Not activated yet: the right password gets the activation hint.
    assert "not activated yet" in auth.login("bob").get_data(as_text=True)

    (activation,) = outbox
    assert activation.to == ["bob@example.org"]
    assert activation.alternatives[0][1] == "text/html"
    link = next(link for link in links_in(activation) if "/auth/activate/confirm/" in link)
    assert link.startswith("http://forum.test/auth/activate/confirm/")
    response = client.get(path_of(link))
    assert response.status_code == 302
    assert "Your account is activated" in client.get("/auth/login").get_data(as_text=True)

    response = auth.login("BOB@example.org")
    assert response.status_code == 302
    assert "Logged in as <strong>bob</strong>" in client.get("/").get_data(as_text=True)

    response = client.get("/auth/reauth?next=/terms")
    assert response.status_code == 200
    response = client.post(
        "/auth/reauth?next=/terms",
        data={"password": PASSWORD, "csrf_token": csrf_token(client, "/auth/reauth")},
    )
    assert response.location == "/terms"

    assert auth.logout().status_code == 302
    assert "Logged in as" not in client.get("/").get_data(as_text=True)

    outbox.clear()
    client.post(
        "/auth/reset-password",
        data={"email": "bob@example.org", "csrf_token": csrf_token(client, "/auth/reset-password")},
    )
    (reset,) = outbox
    link = next(link for link in links_in(reset) if "/auth/reset-password/" in link)
    response = client.get(path_of(link))
    assert response.location == "/auth/reset-password/set-password"
    form_page = client.get("/auth/reset-password/set-password")
    assert form_page.status_code == 200
    response = client.post(
        "/auth/reset-password/set-password",
        data={
            "password": "a whole new passphrase",
            "confirm_password": "a whole new passphrase",
            "csrf_token": csrf_token(client, "/auth/reset-password/set-password"),
        },
    )
    assert response.location == "/auth/login"
    assert [m.subject for m in outbox][-1].endswith("Your password was changed")
    assert auth.login("bob").status_code == 200  # the old password fails
    assert auth.login("bob", "a whole new passphrase").status_code == 302


def test_activation_by_pasting_the_code(
    client: FlaskClient, outbox: list[Any], auth: AuthActions
) -> None:
    register(client)
    token = outbox[0].body.split("paste this code at")[1].split()[1]
    response = client.post(
        "/auth/activate/confirm",
        data={"token": token, "csrf_token": csrf_token(client, "/auth/activate/confirm")},
    )
    assert response.status_code == 302
    assert auth.login("bob").status_code == 302


def test_resend_activation_sends_a_working_link(
    app: Flask, client: FlaskClient, outbox: list[Any]
) -> None:
    register(client)
    outbox.clear()
    client.post(
        "/auth/activate",
        data={"email": "bob@example.org", "csrf_token": csrf_token(client, "/auth/activate")},
    )
    (message,) = outbox
    link = next(link for link in links_in(message) if "/auth/activate/confirm/" in link)
    assert client.get(path_of(link)).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.activated).where(User.username == "bob"))


def test_register_without_activation_sends_a_welcome(
    app: Flask, client: FlaskClient, outbox: list[Any], auth: AuthActions
) -> None:
    app.config["ACCOUNT_ACTIVATION_REQUIRED"] = False
    register(client)
    assert "Welcome" in outbox[0].subject
    assert auth.login("bob").status_code == 302


def test_register_shows_field_errors(client: FlaskClient, make_user: MakeUser) -> None:
    make_user("alice")
    page = register(
        client, username="Alice", email="not-an-email", confirm_password="different", accept_tos=""
    ).get_data(as_text=True)
    assert "Enter a valid email address" in page
    assert "The passwords do not match." in page
    assert "You need to accept the terms of service" in page
    assert 'aria-invalid="true"' in page


def test_taken_username_is_reported_on_the_field(client: FlaskClient, make_user: MakeUser) -> None:
    make_user("alice")
    page = register(client, username="ALICE", email="new@example.org").get_data(as_text=True)
    assert "This username is already taken." in page


def test_logged_in_people_are_sent_away_from_login_and_register(
    client: FlaskClient, make_user: MakeUser, auth: AuthActions
) -> None:
    make_user()
    auth.login()
    assert client.get("/auth/login").status_code == 302
    assert client.get("/auth/register").status_code == 302


def test_logout_get_shows_a_confirm_button(
    client: FlaskClient, make_user: MakeUser, auth: AuthActions
) -> None:
    make_user()
    auth.login()
    page = client.get("/auth/logout").get_data(as_text=True)
    assert '<form method="post" action="/auth/logout">' in page
    assert "Logged in as" in client.get("/").get_data(as_text=True)


def test_login_next_redirects_to_a_local_page(client: FlaskClient, make_user: MakeUser) -> None:
    make_user()
    response = client.post(
        "/auth/login?next=/privacy",
        data={"login": "alice", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.location == "/privacy"


def test_invalid_reset_link_shows_a_friendly_page(client: FlaskClient) -> None:
    response = client.get("/auth/reset-password/not-a-token")
    assert response.status_code == 400
    assert "Request a new link" in response.get_data(as_text=True)
    response = client.get("/auth/reset-password/set-password")
    assert response.status_code == 400


def test_registration_can_be_closed(app: Flask, client: FlaskClient) -> None:
    app.config["REGISTRATION_ENABLED"] = False
    response = client.get("/auth/register")
    assert response.status_code == 403
    assert "Registration of new accounts is closed" in response.get_data(as_text=True)


def test_home_lists_new_members(client: FlaskClient, make_user: MakeUser) -> None:
    make_user("alice")
    make_user("bob", activated=False)
    page = client.get("/").get_data(as_text=True)
    assert "1 member so far" in page
    assert "<strong>alice</strong>" in page
    assert "<strong>bob</strong>" not in page

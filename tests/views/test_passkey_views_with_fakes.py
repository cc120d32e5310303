"""The passkey views with fake services injected through ``as_view``: the security page's
passkey pages mounted as a second account blueprint over a fake, and the sign-in with a
passkey alone in a host app whose passkeys are a fake."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import LoginManager

from forumapp.account import create_account_blueprint, default_factories
from forumapp.account.security.passkey_views import (
    AddPasskey,
    PasskeyOptions,
    RemovePasskey,
    RenamePasskey,
)
from forumapp.auth import AuthFactories, create_auth_blueprint
from forumapp.auth.decorators import anonymous_required, fresh_login_required, login_required
from forumapp.auth.limits import login_per_client, passkey_options_per_client
from forumapp.auth.passkeys.service import NOT_REGISTERED, PasskeyError, StoredPasskey
from forumapp.auth.passkeys.views import PasskeySignIn, PasskeySignInOptions
from forumapp.auth.ports import AuthUser
from forumapp.auth.services import AuthenticationManager, AuthSettings
from forumapp.forum.errors import NotFound
from tests.conftest import AuthActions, MakeUser, csrf_token
from tests.fakes import (
    FakeHasher,
    FakeTransaction,
    FakeUser,
    FixedClock,
    InMemorySessionStore,
    InMemoryUserStore,
)

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_the_views_declare_their_checks_as_class_decorators() -> None:
    assert PasskeyOptions.decorators == [fresh_login_required]
    assert AddPasskey.decorators == [fresh_login_required]
    assert RemovePasskey.decorators == [fresh_login_required]
    assert RenamePasskey.decorators == [login_required]
    assert PasskeySignIn.decorators == [anonymous_required, login_per_client]
    assert PasskeySignInOptions.decorators == [anonymous_required, passkey_options_per_client]
    assert RenamePasskey.methods == {"GET", "POST"}
    assert PasskeySignIn.methods == ["POST"]


# -- the security page's passkey pages over a fake -----------------------------------------------


@dataclass
class FakePasskeys:
    """One passkey, id 7, named "Desk key"; records calls; registration refused."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def passkey(self, user: AuthUser, passkey_id: int) -> StoredPasskey:
        if passkey_id != 7:
            raise NotFound
        return StoredPasskey(7, user.id, "abc", b"", 0, (), "Desk key", WHEN, None)

    def rename(self, user: AuthUser, passkey_id: int, name: str) -> None:
        self.calls.append(("rename", (passkey_id, name)))

    def remove(self, user: AuthUser, passkey_id: int, *, client: object) -> None:
        self.calls.append(("remove", passkey_id))

    def registration_options(self, user: AuthUser) -> str:
        return '{"fake": true}'

    def register(self, user: AuthUser, name: str, answer: str) -> None:
        self.calls.append(("register", name))
        raise PasskeyError(NOT_REGISTERED)


@pytest.fixture
def passkeys() -> FakePasskeys:
    return FakePasskeys()


@pytest.fixture
def member(
    app: Flask, passkeys: FakePasskeys, auth: AuthActions, make_user: MakeUser
) -> FlaskClient:
    """A browser logged in to a real account, on an app with the fake passkey pages."""
    factories = replace(default_factories(), passkeys=lambda: passkeys)  # type: ignore[arg-type,return-value]
    app.register_blueprint(
        create_account_blueprint(factories, name="fake_account", url_prefix="/fake-settings")
    )
    make_user("alice")
    auth.login()
    return auth.client


def test_renaming_calls_the_service_with_the_id_from_the_url(
    member: FlaskClient, passkeys: FakePasskeys
) -> None:
    path = "/fake-settings/security/passkeys/7/rename"
    assert 'value="Desk key"' in member.get(path).get_data(as_text=True)
    answer = member.post(path, data={"name": " Old key ", "csrf_token": csrf_token(member, path)})
    assert answer.headers["Location"] == "/fake-settings/security"
    assert passkeys.calls == [("rename", (7, "Old key"))]


def test_a_passkey_the_service_does_not_know_is_a_404(member: FlaskClient) -> None:
    assert member.get("/fake-settings/security/passkeys/8/remove").status_code == 404


def test_removing_calls_the_service_once(member: FlaskClient, passkeys: FakePasskeys) -> None:
    path = "/fake-settings/security/passkeys/7/remove"
    assert "Desk key" in member.get(path).get_data(as_text=True)
    member.post(path, data={"csrf_token": csrf_token(member, path)})
    assert passkeys.calls == [("remove", 7)]


def test_the_options_are_what_the_service_gives(member: FlaskClient) -> None:
    path = "/fake-settings/security/passkeys/options"
    token = csrf_token(member, "/fake-settings/security")
    answer = member.post(path, headers={"X-CSRFToken": token})
    assert answer.get_json() == {"fake": True}


def test_a_refused_registration_shows_the_services_reason(
    member: FlaskClient, passkeys: FakePasskeys
) -> None:
    path = "/fake-settings/security/passkeys"
    data = {
        "name": "Key",
        "answer": "{}",
        "csrf_token": csrf_token(member, "/fake-settings/security"),
    }
    answer = member.post(path, data=data)
    assert answer.status_code == 400
    assert "The passkey was not added" in answer.get_data(as_text=True)
    assert passkeys.calls == [("register", "Key")]


# -- sign-in with a passkey alone in a host app ------------------------------------------------


class FakeSignInPasskeys:
    """Passkeys where the answer ``dora's passkey`` names account 1."""

    def enabled_for(self, user: AuthUser) -> bool:
        return False

    def authentication_options(self, user: AuthUser) -> str:
        return "{}"

    def sign_in_options(self) -> str:
        return '{"challenge": "fake"}'

    def identify(self, answer: str) -> int | None:
        return 1 if answer == "dora's passkey" else None


def host_app(passkeys: FakeSignInPasskeys | None) -> Flask:
    clock = FixedClock()
    users, sessions, hasher = InMemoryUserStore(), InMemorySessionStore(clock), FakeHasher()
    users.users[1] = FakeUser(1, "dora", "dora@example.org", hasher.hash("pw"))
    settings = AuthSettings(True, timedelta(hours=1), timedelta(days=7), 600, 600)

    def manager() -> AuthenticationManager:
        return AuthenticationManager(
            users, sessions, hasher, FakeTransaction(), settings, clock, passkeys=passkeys
        )

    def load_user(token: str) -> FakeUser | None:
        user_id = sessions.user_id(token)
        return users.get(user_id) if user_id is not None else None

    app = Flask("host_app")
    app.config.update(SECRET_KEY="host secret", HOME_ENDPOINT="home", RATELIMIT_ENABLED=False)
    LoginManager(app).user_loader(load_user)
    unused: Any = lambda: None  # noqa: E731
    factories = AuthFactories(manager, unused, unused, unused, unused)
    app.register_blueprint(create_auth_blueprint(factories))
    app.add_url_rule("/", "home", lambda: "home")
    return app


def test_a_host_app_signs_in_with_its_own_passkeys() -> None:
    client = host_app(FakeSignInPasskeys()).test_client()
    assert "Sign in with a passkey" in client.get("/auth/login").get_data(as_text=True)
    options = client.post("/auth/passkey/options", headers={"X-CSRFToken": csrf_token(client)})
    assert options.get_json() == {"challenge": "fake"}
    wrong = client.post("/auth/passkey", data={"answer": "x", "csrf_token": csrf_token(client)})
    assert "That passkey did not sign you in." in wrong.get_data(as_text=True)
    data = {"answer": "dora's passkey", "csrf_token": csrf_token(client)}
    assert client.post("/auth/passkey", data=data).headers["Location"] == "/"


def test_a_host_app_without_passkeys_offers_no_passkey_sign_in() -> None:
    client = host_app(None).test_client()
    assert "passkey" not in client.get("/auth/login").get_data(as_text=True).lower()
    token = csrf_token(client)
    answer = client.post("/auth/passkey/options", headers={"X-CSRFToken": token})
    assert answer.status_code == 404

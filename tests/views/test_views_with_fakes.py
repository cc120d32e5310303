"""The auth views with fake services injected through ``as_view``, and the blueprint
mounted in a foreign Flask app over an in-memory user store."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import LoginManager, current_user

from forumapp.auth import AuthFactories, create_auth_blueprint
from forumapp.auth.decorators import anonymous_required
from forumapp.auth.exceptions import StopAuthentication
from forumapp.auth.limits import login_per_account, login_per_client
from forumapp.auth.services import (
    AccountActivator,
    AuthenticationManager,
    AuthSettings,
    LoginResult,
    PasswordResetService,
    ReauthenticationManager,
    RegistrationService,
)
from forumapp.auth.tokens import TokenService
from forumapp.auth.views import Login
from forumapp.users.passwords import PasswordPolicy
from tests.fakes import (
    FakeHasher,
    FakeTransaction,
    FakeUser,
    FixedClock,
    InMemorySessionStore,
    InMemoryUserStore,
    RecordingMailer,
)

PASSWORD = "correct horse battery staple"


def test_login_view_declares_its_checks_as_class_decorators() -> None:
    view = Login.as_view("login", authentication_manager_factory=lambda: None)
    assert view.view_class is Login  # type: ignore[attr-defined]
    # The first decorator is the innermost: the access check runs after both limits.
    assert Login.decorators == [anonymous_required, login_per_account, login_per_client]
    assert Login.init_every_request is False
    assert view.methods == {"GET", "POST"}  # type: ignore[attr-defined]


class RefusingManager:
    """An authentication manager that refuses everyone with a reason of its own."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, str]] = []

    def login(self, login: str, password: str, **_: Any) -> LoginResult:
        self.attempts.append((login, password))
        raise StopAuthentication("Refused by the fake.")

    def offers_passkey_sign_in(self) -> bool:
        return False


def login_only_app(manager: object) -> Flask:
    """An app whose auth blueprint has ``manager`` and no other service."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="x", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, AUTH_TRUSTED_DEVICE_DAYS=30
    )
    LoginManager(app).user_loader(lambda token: None)
    blueprint = create_auth_blueprint(
        AuthFactories(
            authentication_manager=lambda: manager,  # type: ignore[arg-type,return-value]
            reauthentication_manager=lambda: None,  # type: ignore[arg-type,return-value]
            registration_service=lambda: None,  # type: ignore[arg-type,return-value]
            password_reset_service=lambda: None,  # type: ignore[arg-type,return-value]
            account_activator=lambda: None,  # type: ignore[arg-type,return-value]
        )
    )
    app.register_blueprint(blueprint)
    app.config["HOME_ENDPOINT"] = "home"
    app.add_url_rule("/", "home", lambda: "home")
    return app


def test_login_view_shows_the_reason_its_service_gives() -> None:
    manager = RefusingManager()
    app = login_only_app(manager)
    response = app.test_client().post("/auth/login", data={"login": "x", "password": "y"})
    assert response.status_code == 200
    assert "Refused by the fake." in response.get_data(as_text=True)
    assert manager.attempts == [("x", "y")]


class AcceptingManager:
    """An authentication manager that lets account 5 in, noting the accounts the browser's
    device cookie named each time."""

    def __init__(self) -> None:
        self.known: list[tuple[int, ...]] = []

    def login(self, login: str, password: str, **values: Any) -> LoginResult:
        self.known.append(tuple(values["known_accounts"]))
        return LoginResult(FakeUser(5, "eve", "eve@example.org", "h"), "session-token")


def test_login_view_hands_the_service_the_accounts_this_browser_logged_in_before() -> None:
    manager = AcceptingManager()
    app = login_only_app(manager)
    browser = app.test_client()
    for _ in range(2):
        assert (
            browser.post("/auth/login", data={"login": "eve", "password": "y"}).status_code == 302
        )
    # A new browser is a new device again.
    app.test_client().post("/auth/login", data={"login": "eve", "password": "y"})
    assert manager.known == [(), (5,), ()]


# --- a foreign app with its own user store -------------------------------------------------


class ForeignStack:
    """Everything a host app would provide: stores, hasher, mailer, clock."""

    def __init__(self) -> None:
        self.clock = FixedClock()
        self.users = InMemoryUserStore()
        self.sessions = InMemorySessionStore(self.clock)
        self.hasher = FakeHasher()
        self.mailer = RecordingMailer()
        self.transaction = FakeTransaction()
        self.tokens = TokenService("host secret", self.clock)
        self.settings = AuthSettings(True, timedelta(hours=1), timedelta(days=7), 600, 600)
        self.policy = PasswordPolicy(8, 1024)

    def factories(self) -> AuthFactories:
        return AuthFactories(
            authentication_manager=lambda: AuthenticationManager(
                self.users, self.sessions, self.hasher, self.transaction, self.settings, self.clock
            ),
            reauthentication_manager=lambda: ReauthenticationManager(
                self.users, self.hasher, self.transaction, self.clock
            ),
            registration_service=lambda: RegistrationService(
                self.users,
                self.hasher,
                self.policy,
                self.tokens,
                self.mailer,
                self.transaction,
                self.settings,
                self.clock,
            ),
            password_reset_service=lambda: PasswordResetService(
                self.users,
                self.sessions,
                self.hasher,
                self.policy,
                self.tokens,
                self.mailer,
                self.transaction,
                self.settings,
                clock=self.clock,
            ),
            account_activator=lambda: AccountActivator(
                self.users, self.tokens, self.mailer, self.transaction, self.settings
            ),
        )

    def load_user(self, token: str) -> FakeUser | None:
        user_id = self.sessions.user_id(token)
        user = self.users.get(user_id) if user_id is not None else None
        if user is not None:
            user.attach_session(token)
        return user


@pytest.fixture
def stack() -> ForeignStack:
    return ForeignStack()


@pytest.fixture
def foreign_app(stack: ForeignStack) -> Flask:
    app = Flask("host_app")
    app.config.update(SECRET_KEY="host secret", HOME_ENDPOINT="dashboard")
    login_manager = LoginManager(app)
    login_manager.login_view = "accounts.login"
    login_manager.user_loader(stack.load_user)
    app.register_blueprint(
        create_auth_blueprint(stack.factories(), name="accounts", url_prefix="/accounts")
    )

    @app.route("/")
    def dashboard() -> str:
        name = current_user.username if current_user.is_authenticated else "stranger"
        return f"hello {name}"

    return app


def _token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_foreign_app_mounts_the_blueprint_over_its_own_store(
    foreign_app: Flask, stack: ForeignStack
) -> None:
    client = foreign_app.test_client()
    response = client.post(
        "/accounts/register",
        data={
            "username": "dora",
            "email": "dora@example.org",
            "password": PASSWORD,
            "confirm_password": PASSWORD,
            "language": "en",
            "accept_tos": "y",
            "csrf_token": _token(client, "/accounts/register"),
        },
    )
    assert response.status_code == 302
    assert response.location == "/accounts/login"
    (activation,) = stack.mailer.sent
    assert client.get(f"/accounts/activate/confirm/{activation.token}").status_code == 302
    assert stack.users.get(1) is not None
    assert stack.users.users[1].activated

    response = client.post(
        "/accounts/login",
        data={
            "login": "dora",
            "password": PASSWORD,
            "csrf_token": _token(client, "/accounts/login"),
        },
    )
    assert response.location == "/"
    assert client.get("/").get_data(as_text=True) == "hello dora"
    assert len(stack.sessions.sessions) == 1

    response = client.post(
        "/accounts/logout", data={"csrf_token": _token(client, "/accounts/logout")}
    )
    assert response.status_code == 302
    assert stack.sessions.sessions == {}
    assert client.get("/").get_data(as_text=True) == "hello stranger"


def test_a_foreign_app_gets_csrf_protection_and_limits(foreign_app: Flask) -> None:
    assert foreign_app.extensions.get("limiter")
    response = foreign_app.test_client().post(
        "/accounts/login", data={"login": "x", "password": "y"}
    )
    assert response.status_code == 400

"""The two-factor views with fake services injected through ``as_view``: the security
pages mounted as a second account blueprint over fakes, and the second login step in a
host app whose second factor is a fake."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import LoginManager

from forumapp.account import create_account_blueprint, default_factories
from forumapp.account.security.services import LoginRow, SecurityOverview
from forumapp.account.security.views import DisableTwoFactor, EnrolAuthenticator, Security
from forumapp.auth import AuthFactories, create_auth_blueprint
from forumapp.auth.decorators import anonymous_required, fresh_login_required, login_required
from forumapp.auth.limits import second_step_per_account, second_step_per_client
from forumapp.auth.ports import AuthUser, ClientInfo
from forumapp.auth.second_factor.ports import CodeProof
from forumapp.auth.second_factor.service import (
    NOT_ON,
    Enrolment,
    TwoFactorError,
    TwoFactorStatus,
)
from forumapp.auth.services import AuthenticationManager, AuthSettings, ReauthenticationManager
from forumapp.auth.views import TwoFactor
from tests.conftest import AuthActions, MakeUser, csrf_token
from tests.fakes import (
    FakeHasher,
    FakeTransaction,
    FakeUser,
    FixedClock,
    InMemorySessionStore,
    InMemoryUserStore,
)
from tests.second_factor_fakes import InMemoryChallengeStore, RecordingHistory

PASSWORD = "correct horse battery staple"
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_the_views_declare_their_checks_as_class_decorators() -> None:
    assert TwoFactor.decorators == [
        anonymous_required,
        second_step_per_account,
        second_step_per_client,
    ]
    assert Security.decorators == [login_required]
    assert EnrolAuthenticator.decorators == [fresh_login_required]
    assert DisableTwoFactor.decorators == [fresh_login_required]
    view = TwoFactor.as_view("two_factor", authentication_manager_factory=lambda: None)
    assert view.view_class is TwoFactor  # type: ignore[attr-defined]
    assert view.methods == {"GET", "POST"}  # type: ignore[attr-defined]


# -- the security pages over fakes ---------------------------------------------------------


@dataclass
class FakeReport:
    """A security overview that knows one login attempt."""

    def overview(self, user: AuthUser) -> SecurityOverview:
        row = LoginRow(WHEN, "203.0.113.9", "Lynx on Plan 9", "Lynx", "Wrong password", False, None)
        return SecurityOverview(TwoFactorStatus(True, WHEN, 7), [row])


@dataclass
class FakeTwoFactor:
    """A two-factor service that records calls and refuses what ``refuse`` names."""

    refuse: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name in self.refuse:
            raise TwoFactorError(NOT_ON)

    def disable(self, user: AuthUser, *, client: ClientInfo) -> None:
        self._call("disable")

    def regenerate_recovery_codes(self, user: AuthUser) -> list[str]:
        self._call("regenerate")
        return ["fake1-codes"]

    def start_enrolment(self, user: AuthUser) -> Enrolment:
        self._call("start")
        return Enrolment("FAKESECRET", "sealed", "otpauth://fake", "<svg><title>QR</title></svg>")


@pytest.fixture
def two_factor() -> FakeTwoFactor:
    return FakeTwoFactor()


@pytest.fixture
def fake_app(app: Flask, two_factor: FakeTwoFactor) -> Flask:
    factories = replace(
        default_factories(),
        security_report=lambda: FakeReport(),  # type: ignore[arg-type,return-value]
        two_factor=lambda: two_factor,  # type: ignore[arg-type,return-value]
    )
    app.register_blueprint(
        create_account_blueprint(factories, name="fake_account", url_prefix="/fake-settings")
    )
    return app


@pytest.fixture
def member(fake_app: Flask, auth: AuthActions, make_user: MakeUser) -> FlaskClient:
    """A browser logged in to a real account, on the app with the fake pages."""
    make_user("alice")
    auth.login()
    return auth.client


def test_the_security_page_shows_what_its_service_gives(member: FlaskClient) -> None:
    page = member.get("/fake-settings/security").get_data(as_text=True)
    assert "Lynx on Plan 9" in page and "203.0.113.9" in page
    assert "7 unused recovery codes" in page


def test_turning_off_calls_the_service_once_and_a_refusal_is_flashed(
    member: FlaskClient, two_factor: FakeTwoFactor
) -> None:
    path = "/fake-settings/security/two-factor/disable"
    answer = member.post(path, data={"csrf_token": csrf_token(member, path)})
    assert answer.headers["Location"] == "/fake-settings/security"
    assert two_factor.calls == ["disable"]
    two_factor.refuse.add("disable")
    member.post(path, data={"csrf_token": csrf_token(member, path)})
    assert str(NOT_ON) in member.get("/fake-settings/security").get_data(as_text=True)


def test_new_recovery_codes_are_shown_once_in_the_answer(member: FlaskClient) -> None:
    path = "/fake-settings/security/recovery-codes"
    answer = member.post(path, data={"csrf_token": csrf_token(member, path)})
    assert "<code>fake1-codes</code>" in answer.get_data(as_text=True)
    assert "fake1-codes" not in member.get("/fake-settings/security").get_data(as_text=True)


def test_the_enrolment_page_shows_the_qr_code_and_the_secret(member: FlaskClient) -> None:
    page = member.get("/fake-settings/security/authenticator").get_data(as_text=True)
    assert "<svg><title>QR</title></svg>" in page
    assert 'value="FAKESECRET"' in page
    assert re.search(r'<label for="code">Code from the app</label>', page)


# -- the second step in a host app ---------------------------------------------------------


class FixedCodeFactor:
    """A second factor whose one right answer is ``135790``, for account 1."""

    def enabled_for(self, user: AuthUser) -> bool:
        return user.id == 1

    def check(self, user: AuthUser, proof: CodeProof) -> str | None:
        return "fake" if proof.code == "135790" else None

    def after_use(self, user: AuthUser, method: str, client: ClientInfo) -> None:
        pass


@pytest.fixture
def host_app() -> Flask:
    clock = FixedClock()
    users, sessions, hasher = InMemoryUserStore(), InMemorySessionStore(clock), FakeHasher()
    users.users[1] = FakeUser(1, "dora", "dora@example.org", hasher.hash(PASSWORD))
    challenges, history = InMemoryChallengeStore(), RecordingHistory()
    settings = AuthSettings(True, timedelta(hours=1), timedelta(days=7), 600, 600)

    def manager() -> AuthenticationManager:
        return AuthenticationManager(
            users,
            sessions,
            hasher,
            FakeTransaction(),
            settings,
            clock,
            second_factor=FixedCodeFactor(),
            challenges=challenges,
            history=history,
        )

    def load_user(token: str) -> FakeUser | None:
        user_id = sessions.user_id(token)
        return users.get(user_id) if user_id is not None else None

    app = Flask("host_app")
    app.config.update(SECRET_KEY="host secret", HOME_ENDPOINT="home", RATELIMIT_ENABLED=False)
    LoginManager(app).user_loader(load_user)
    unused: Any = lambda: None  # noqa: E731
    app.register_blueprint(
        create_auth_blueprint(
            AuthFactories(
                authentication_manager=manager,
                reauthentication_manager=lambda: ReauthenticationManager(
                    users, hasher, FakeTransaction(), clock
                ),
                registration_service=unused,
                password_reset_service=unused,
                account_activator=unused,
            )
        )
    )
    app.add_url_rule("/", "home", lambda: "home")
    app.extensions["history"] = history
    return app


def test_a_host_app_logs_in_in_two_steps_with_its_own_second_factor(host_app: Flask) -> None:
    client = host_app.test_client()
    answer = client.post(
        "/auth/login",
        data={"login": "dora", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert answer.headers["Location"] == "/auth/two-factor"
    step = "/auth/two-factor"
    wrong = client.post(step, data={"code": "000000", "csrf_token": csrf_token(client, step)})
    assert "That code is not right" in wrong.get_data(as_text=True)
    right = client.post(step, data={"code": "135790", "csrf_token": csrf_token(client, step)})
    assert right.headers["Location"] == "/"
    outcomes = [(a.outcome.value, a.second_factor) for a in host_app.extensions["history"].attempts]
    assert outcomes == [("second-factor-failed", None), ("success", "fake")]

"""The example host app of ``examples/embed_auth/``: forumapp's auth blueprint mounted in
an app with its own members, layout, JSON endpoint, login manager and rate limiter."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from examples.embed_auth.app import create_app
from examples.embed_auth.factories import Accounts
from examples.embed_auth.members import Member
from forumapp.auth.second_factor import totp

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase, please"
#: Cheap hashing: the flows, not Argon2, are under test.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8}


@pytest.fixture
def host() -> Flask:
    """The example host app."""
    return create_app(FAST_HASHING)


def accounts_of(app: Flask) -> Accounts:
    """The host's members and outbox."""
    accounts = app.extensions["example.accounts"]
    assert isinstance(accounts, Accounts)
    return accounts


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form at ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def emailed_link(app: Flask, path: str) -> str:
    """The path of the newest emailed link that starts with ``path``."""
    match = re.search(rf"http://localhost({re.escape(path)}\S+)", accounts_of(app).outbox[-1].text)
    assert match, accounts_of(app).outbox[-1].text
    return match.group(1)


def log_in(client: FlaskClient, password: str) -> int:
    """Log dora in with ``password``; the response's status."""
    form = {"login": "dora", "password": password}
    form["csrf_token"] = csrf_token(client, "/accounts/login")
    return client.post("/accounts/login", data=form).status_code


def register_and_activate(app: Flask, client: FlaskClient) -> Member:
    """Register dora through the forms and follow her activation link."""
    form = {
        "username": "dora",
        "email": "dora@example.org",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "language": "en",
        "accept_tos": "y",
        "csrf_token": csrf_token(client, "/accounts/register"),
    }
    assert client.post("/accounts/register", data=form).status_code == 302
    (member,) = accounts_of(app).members.members.values()
    assert not member.activated
    assert client.get(emailed_link(app, "/accounts/activate/confirm/")).status_code == 302
    assert member.activated
    return member


def test_the_example_host_registers_activates_logs_in_and_resets_a_password(host: Flask) -> None:
    client = host.test_client()
    register_and_activate(host, client)

    assert log_in(client, PASSWORD) == 302
    assert "Welcome, dora." in client.get("/").get_data(as_text=True)
    logout = {"csrf_token": csrf_token(client, "/accounts/logout")}
    assert client.post("/accounts/logout", data=logout).status_code == 302

    forgot = {"email": "dora@example.org"}
    forgot["csrf_token"] = csrf_token(client, "/accounts/reset-password")
    response = client.post("/accounts/reset-password", data=forgot)
    assert response.status_code == 302
    response.close()  # the email goes once the answer is sent
    # The link moves its token into the session and sends the browser to the form.
    form_path = client.get(emailed_link(host, "/accounts/reset-password/")).location
    reset = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    reset["csrf_token"] = csrf_token(client, form_path)
    assert client.post(form_path, data=reset).status_code == 302

    assert log_in(client, PASSWORD) == 200  # refused: the form again
    assert log_in(client, NEW_PASSWORD) == 302
    assert "Welcome, dora." in client.get("/").get_data(as_text=True)


def test_the_example_host_gives_its_members_a_second_factor_of_its_own(host: Flask) -> None:
    client = host.test_client()
    member = register_and_activate(host, client)
    # The host keeps the secret in its own store, as its own set-up page would.
    secret = totp.new_secret()
    accounts_of(host).authenticator_apps.enrol(member.id, secret)

    assert log_in(client, PASSWORD) == 302
    assert "Welcome, dora." not in client.get("/").get_data(as_text=True), "no session yet"
    second_step = "/accounts/two-factor"
    assert 'name="code"' in client.get(second_step).get_data(as_text=True)

    wrong = {"code": "000000", "csrf_token": csrf_token(client, second_step)}
    assert client.post(second_step, data=wrong).status_code == 200
    code = pyotp.TOTP(secret).now()
    right = {"code": code, "csrf_token": csrf_token(client, second_step)}
    assert client.post(second_step, data=right).status_code == 302
    assert "Welcome, dora." in client.get("/").get_data(as_text=True)

    # The code is spent: logging in again with it stops at the second step.
    logout = {"csrf_token": csrf_token(client, "/accounts/logout")}
    assert client.post("/accounts/logout", data=logout).status_code == 302
    assert log_in(client, PASSWORD) == 302
    replay = {"code": code, "csrf_token": csrf_token(client, second_step)}
    assert client.post(second_step, data=replay).status_code == 200
    assert "Welcome, dora." not in client.get("/").get_data(as_text=True)


def test_embedded_pages_use_forumapps_layout_not_the_hosts_base_html(host: Flask) -> None:
    page = host.test_client().get("/accounts/login").get_data(as_text=True)
    assert 'class="site-footer"' in page
    assert "<h1>Example host</h1>" not in page
    # The host's own pages keep the host's base.html.
    assert "<h1>Example host</h1>" in host.test_client().get("/").get_data(as_text=True)


def test_embedded_pages_stylesheet_is_served_under_the_blueprint(host: Flask) -> None:
    client = host.test_client()
    page = client.get("/accounts/login").get_data(as_text=True)
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert match
    assert match.group(1).startswith("/accounts/static/")
    with client.get(match.group(1)) as stylesheet:
        assert stylesheet.status_code == 200
        assert stylesheet.mimetype == "text/css"


def test_csrf_protection_covers_the_blueprint_and_not_the_hosts_json_endpoints(
    host: Flask,
) -> None:
    client = host.test_client()
    response = client.post("/api/echo", json={"ping": 1})
    assert response.status_code == 200
    assert response.get_json() == {"ping": 1}
    assert client.post("/accounts/login", data={"login": "x", "password": "y"}).status_code == 400


def test_embedding_keeps_the_hosts_user_loader_and_its_own_limiter() -> None:
    app = Flask("limited_host")
    app.config.update(SECRET_KEY="host secret", HOME_ENDPOINT="home")
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    host_limiter = Limiter(get_remote_address, app=app, default_limits=["2 per minute"])

    @app.get("/")
    def home() -> str:
        return "home"

    from flask_login import LoginManager

    from examples.embed_auth.factories import auth_factories
    from forumapp.auth import create_auth_blueprint
    from forumapp.users.passwords import Argon2Hasher

    accounts = Accounts(Argon2Hasher(1, 8, 1))
    login_manager = LoginManager(app)
    login_manager.user_loader(accounts.load_member)
    app.register_blueprint(create_auth_blueprint(auth_factories(accounts), name="accounts"))

    assert login_manager._user_callback == accounts.load_member
    assert host_limiter in app.extensions["limiter"]
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


def test_embedding_leaves_the_hosts_rate_limit_configuration_as_the_host_wrote_it() -> None:
    # Flask-Limiter reads RATELIMIT_* from app.config: forumapp's own defaults (headers on,
    # short Redis timeouts) written there would change the host's limiter too.
    app = Flask("configured_host")
    app.config.update(
        SECRET_KEY="host secret", HOME_ENDPOINT="home", RATELIMIT_STORAGE_URI="memory://"
    )
    host_limiter = Limiter(get_remote_address, app=app, default_limits=["1 per minute"])

    @app.get("/")
    def home() -> str:
        return "home"

    from flask_login import LoginManager

    from examples.embed_auth.factories import auth_factories
    from forumapp.auth import create_auth_blueprint
    from forumapp.users.passwords import Argon2Hasher

    before = {key: value for key, value in app.config.items() if key.startswith("RATELIMIT_")}
    accounts = Accounts(Argon2Hasher(1, 8, 1))
    LoginManager(app).user_loader(accounts.load_member)
    app.register_blueprint(create_auth_blueprint(auth_factories(accounts), name="accounts"))

    after = {key: value for key, value in app.config.items() if key.startswith("RATELIMIT_")}
    assert after == before
    client = app.test_client()
    client.get("/")
    refused = client.get("/")
    assert refused.status_code == 429
    # The host's limiter sends no X-RateLimit headers: it was never told to.
    assert host_limiter.enabled and "X-RateLimit-Limit" not in refused.headers
    # The blueprint's own limiter still has forumapp's defaults, for this app alone.
    from forumapp.extensions import LIMITER_STATE_KEY, limiter

    assert app.extensions[LIMITER_STATE_KEY][limiter]["_headers_enabled"] is True


def test_account_emails_keep_forumapps_layout_in_a_host_with_email_templates_of_its_own(
    tmp_path: Path,
) -> None:
    (tmp_path / "email").mkdir()
    (tmp_path / "email/layout.html").write_text("<p>the host's own email layout</p>")
    app = create_app(FAST_HASHING)
    app.template_folder = str(tmp_path)  # before the first render: the host's templates
    client = app.test_client()
    form = {
        "username": "dora",
        "email": "dora@example.org",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "language": "en",
        "accept_tos": "y",
        "csrf_token": csrf_token(client, "/accounts/register"),
    }
    assert client.post("/accounts/register", data=form).status_code == 302
    (email,) = accounts_of(app).outbox
    assert "the host's own email layout" not in email.html
    assert "/accounts/activate/confirm/" in email.html


def test_readme_shows_the_example_host_app_as_it_is() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Using the auth blueprint in your own app", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert (ROOT / "examples/embed_auth/app.py").read_text() in blocks

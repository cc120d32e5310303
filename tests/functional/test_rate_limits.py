"""Rate limits of the auth views, driven through the real app and its Flask-Limiter setup.

Failed logins are limited per client address and per account name, registration and
the two "send me an email" forms per client; the limits follow configuration, count the
real client behind a trusted proxy only, and answer with the friendly 429 page.

With ``FORUMAPP_TEST_RATELIMIT_STORAGE_URI=redis://...`` every test counts in Redis
(emptied before each test by the ``app`` fixture); otherwise in memory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from forumapp import create_app
from forumapp.auth.devices import COOKIE_NAME as DEVICE_COOKIE
from forumapp.extensions import limiter
from forumapp.users.groups import GroupKey
from tests.conftest import PASSWORD, MakeUser, base_config, csrf_token
from tests.production.backends import TEST_RATELIMIT_STORAGE_URI

WRONG_PASSWORD = "not the right password"

#: Small, distinct limits: 3 failed logins per client, 2 per account name.
LIMITS = {
    "AUTH_LOGIN_LIMIT": "3 per minute",
    "AUTH_LOGIN_ACCOUNT_LIMIT": "2 per minute",
    "AUTH_REGISTER_LIMIT": "2 per minute",
    "AUTH_FORGOT_PASSWORD_LIMIT": "2 per minute",
    "AUTH_ACTIVATION_LIMIT": "2 per minute",
}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(LIMITS)


def post_login(
    client: FlaskClient,
    token: str,
    login: str,
    password: str = WRONG_PASSWORD,
    *,
    remote_addr: str | None = None,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    environ = {"REMOTE_ADDR": remote_addr} if remote_addr else {}
    return client.post(
        "/auth/login",
        data={"login": login, "password": password, "csrf_token": token},
        environ_base=environ,
        headers=headers,
    )


def statuses(responses: list[TestResponse]) -> list[int]:
    return [response.status_code for response in responses]


# -- failed logins per client ---------------------------------------------------------------


def test_failed_logins_are_limited_per_client(client: FlaskClient, make_user: MakeUser) -> None:
    make_user("alice")
    token = csrf_token(client)
    # A different account name each time: the per-account limit never comes into play.
    failures = [post_login(client, token, f"nobody{i}") for i in range(3)]
    assert statuses(failures) == [200, 200, 200]

    assert post_login(client, token, "someone-else").status_code == 429
    # Once the client is locked out, even the right password of a real account is refused.
    assert post_login(client, token, "alice", PASSWORD).status_code == 429


def test_successful_logins_are_not_counted_against_the_client_limit(
    app: Flask, make_user: MakeUser
) -> None:
    make_user("alice")
    for _ in range(5):
        client = app.test_client()
        response = post_login(client, csrf_token(client), "alice", PASSWORD)
        assert response.status_code == 302
        assert "Logged in as" in client.get("/").get_data(as_text=True)

    client = app.test_client()
    token = csrf_token(client)
    # The whole failure budget of 3 is still there after 5 successful logins.
    assert statuses([post_login(client, token, f"nobody{i}") for i in range(3)]) == [200] * 3
    assert post_login(client, token, "nobody").status_code == 429


def test_failed_login_limit_of_one_client_leaves_other_clients_alone(
    client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    token = csrf_token(client)
    for i in range(4):
        post_login(client, token, f"nobody{i}", remote_addr="10.0.0.1")
    assert post_login(client, token, "nobody", remote_addr="10.0.0.1").status_code == 429

    assert post_login(client, token, "alice", PASSWORD, remote_addr="10.0.0.2").status_code == 302


# -- failed logins per account --------------------------------------------------------------


def test_failed_logins_are_limited_per_account(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    make_user("bob")
    token = csrf_token(client)
    # Each failure comes from its own address: the per-client limit never comes into play.
    failures = [post_login(client, token, "alice", remote_addr=f"10.0.0.{i}") for i in (1, 2)]
    assert statuses(failures) == [200, 200]

    locked = post_login(client, token, "alice", PASSWORD, remote_addr="10.0.0.3")
    assert locked.status_code == 429

    other = app.test_client()
    response = post_login(other, csrf_token(other), "bob", PASSWORD, remote_addr="10.0.0.4")
    assert response.status_code == 302


@pytest.mark.parametrize("spelling", ["ALICE", "  alice  ", "Alice"])
def test_account_lock_covers_other_spellings_of_the_username(
    client: FlaskClient, make_user: MakeUser, spelling: str
) -> None:
    make_user("alice")
    token = csrf_token(client)
    for i in (1, 2):
        post_login(client, token, "alice", remote_addr=f"10.0.0.{i}")

    response = post_login(client, token, spelling, PASSWORD, remote_addr="10.0.0.3")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("failing_as", "then_as"),
    [("alice", "alice@example.org"), ("ALICE@example.org", "alice")],
    ids=["username-then-email", "email-then-username"],
)
def test_account_lock_covers_login_by_username_and_by_email_alike(
    client: FlaskClient, make_user: MakeUser, failing_as: str, then_as: str
) -> None:
    make_user("alice", email="alice@example.org")
    token = csrf_token(client)
    for i in (1, 2):
        post_login(client, token, failing_as, remote_addr=f"10.0.0.{i}")

    assert post_login(client, token, then_as, PASSWORD, remote_addr="10.0.0.3").status_code == 429


# -- the owner of a locked account ------------------------------------------------------------


def lock_out(client: FlaskClient, login: str = "alice") -> None:
    """Spend the account's shared budget (2) from addresses of its own, as an attacker would."""
    token = csrf_token(client)
    for i in (1, 2):
        assert post_login(client, token, login, remote_addr=f"203.0.113.{i}").status_code == 200


def log_in_and_out(client: FlaskClient, login: str = "alice") -> None:
    """A successful login from ``client`` (the owner's browser), then logout."""
    assert post_login(client, csrf_token(client), login, PASSWORD).status_code == 302
    logout = client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/logout")})
    assert logout.status_code == 302


@pytest.mark.parametrize("group", [GroupKey.MEMBER, GroupKey.ADMIN])
def test_nobody_can_lock_the_owner_out_of_a_browser_they_logged_in_from(
    app: Flask, make_user: MakeUser, group: GroupKey
) -> None:
    make_user("alice", group=group)
    owner = app.test_client()
    log_in_and_out(owner)

    lock_out(app.test_client())
    stranger = app.test_client()
    assert post_login(stranger, csrf_token(stranger), "alice", PASSWORD).status_code == 429

    response = post_login(owner, csrf_token(owner), "alice", PASSWORD)
    assert response.status_code == 302
    assert "Logged in as" in owner.get("/").get_data(as_text=True)


def test_a_trusted_browser_has_a_budget_of_failed_logins_of_its_own(
    app: Flask, make_user: MakeUser
) -> None:
    make_user("alice")
    owner = app.test_client()
    log_in_and_out(owner)

    token = csrf_token(owner)
    # Guesses through the owner's browser (a thief with it) are limited as well ...
    addresses = [f"198.51.100.{i}" for i in (1, 2, 3)]
    guesses = [post_login(owner, token, "alice", remote_addr=a) for a in addresses]
    assert statuses(guesses) == [200, 200, 429]
    # ... and spend the browser's budget only, not the one other browsers share.
    stranger = app.test_client()
    assert post_login(stranger, csrf_token(stranger), "alice", PASSWORD).status_code == 302


def test_a_device_cookie_only_vouches_for_the_account_that_earned_it(
    app: Flask, make_user: MakeUser
) -> None:
    make_user("alice")
    make_user("bob")
    bobs_browser = app.test_client()
    log_in_and_out(bobs_browser, "bob")
    lock_out(app.test_client())

    token = csrf_token(bobs_browser)
    assert post_login(bobs_browser, token, "alice", PASSWORD).status_code == 429

    cookie = bobs_browser.get_cookie(DEVICE_COOKIE, path="/auth/")
    assert cookie is not None
    forged = app.test_client()
    # A cookie naming alice, with bob's signature on other contents: refused.
    forged.set_cookie(DEVICE_COOKIE, cookie.value.replace(".", "X.", 1), path="/auth/")
    assert post_login(forged, csrf_token(forged), "alice", PASSWORD).status_code == 429


def test_the_lockout_page_offers_a_password_reset(app: Flask, make_user: MakeUser) -> None:
    make_user("alice")
    lock_out(app.test_client())
    for login in ("alice", "ALICE", "nobody-at-all"):
        locked = app.test_client()
        token = csrf_token(locked)
        if login == "nobody-at-all":
            lock_out(locked, login)
        response = post_login(locked, token, login, PASSWORD)
        assert response.status_code == 429
        assert response.headers["Retry-After"].isdigit()
        page = response.get_data(as_text=True)
        assert '<a href="/auth/reset-password">choose a new password</a>' in page
        # The same page whether the account exists or not.
        assert login.casefold() not in page.casefold()


def test_a_password_reset_lets_the_owner_in_from_a_new_browser_despite_a_lockout(
    app: Flask, make_user: MakeUser, outbox: list[Any]
) -> None:
    make_user("alice")
    lock_out(app.test_client())
    owner = app.test_client()
    assert post_login(owner, csrf_token(owner), "alice", PASSWORD).status_code == 429

    path = "/auth/reset-password"
    owner.post(path, data={"email": "alice@example.org", "csrf_token": csrf_token(owner, path)})
    link = re.findall(r"http://forum\.test(/auth/reset-password/\S+)", outbox[-1].body)[0]
    new_password = "a whole new passphrase"
    form = {"password": new_password, "confirm_password": new_password}
    set_password = owner.get(link).location
    form["csrf_token"] = csrf_token(owner, set_password)
    assert owner.post(set_password, data=form).status_code == 302

    stranger = app.test_client()  # the account stays locked for everyone else
    assert post_login(stranger, csrf_token(stranger), "alice", new_password).status_code == 429
    assert post_login(owner, csrf_token(owner), "alice", new_password).status_code == 302


# -- registration and the emailing forms ---------------------------------------------------

ACCOUNT_FORMS = [
    pytest.param(
        "/auth/register",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password": "short",
            "confirm_password": "short",
            "language": "en",
            "accept_tos": "y",
        },
        id="register",
    ),
    pytest.param("/auth/reset-password", {"email": "someone@example.org"}, id="forgot-password"),
    pytest.param("/auth/activate", {"email": "someone@example.org"}, id="resend-activation"),
]


@pytest.mark.parametrize(("path", "data"), ACCOUNT_FORMS)
def test_account_forms_are_limited_per_client(
    client: FlaskClient, path: str, data: dict[str, str]
) -> None:
    token = csrf_token(client, path)
    form = {**data, "csrf_token": token}
    allowed = [client.post(path, data=form) for _ in range(2)]
    assert all(response.status_code != 429 for response in allowed)

    assert client.post(path, data=form).status_code == 429
    # Only POSTs count: the page itself still shows, and other clients keep their budget.
    assert client.get(path).status_code == 200
    assert client.post(path, data=form, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code in (
        200,
        302,
    )


@pytest.mark.parametrize(
    ("config_overrides", "path", "data"),
    [
        ({"AUTH_REGISTER_LIMIT": "4 per minute"}, *ACCOUNT_FORMS[0].values),
        ({"AUTH_FORGOT_PASSWORD_LIMIT": "4 per minute"}, *ACCOUNT_FORMS[1].values),
        ({"AUTH_ACTIVATION_LIMIT": "4 per minute"}, *ACCOUNT_FORMS[2].values),
    ],
    ids=["register", "forgot-password", "resend-activation"],
)
def test_account_form_limits_follow_configuration(
    client: FlaskClient, path: str, data: dict[str, str]
) -> None:
    form = {**data, "csrf_token": csrf_token(client, path)}
    allowed = [client.post(path, data=form) for _ in range(4)]
    assert all(response.status_code != 429 for response in allowed)
    assert client.post(path, data=form).status_code == 429


# -- the 429 answer -------------------------------------------------------------------------


def test_rate_limited_answer_is_the_friendly_page_with_retry_after(client: FlaskClient) -> None:
    token = csrf_token(client)
    for i in range(3):
        post_login(client, token, f"nobody{i}")

    response = post_login(client, token, "nobody")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Too many requests" in page
    assert 'class="site-header"' in page  # the site's layout, not a bare error
    assert "3 per" not in page  # the limit expression ("3 per 1 minute") is not shown
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit()
    assert 0 < int(retry_after) <= 60


def test_rate_limited_emailing_form_is_not_a_server_error(client: FlaskClient) -> None:
    form = {"email": "someone@example.org", "csrf_token": csrf_token(client, "/auth/activate")}
    responses = [client.post("/auth/activate", data=form) for _ in range(5)]
    assert statuses(responses)[-1] == 429
    assert all(response.status_code < 500 for response in responses)
    assert "Retry-After" in responses[-1].headers


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config_overrides", "limit"),
    [
        ({"AUTH_LOGIN_LIMIT": "2 per minute", "AUTH_LOGIN_ACCOUNT_LIMIT": "50 per minute"}, 2),
        ({"AUTH_LOGIN_LIMIT": "5 per minute", "AUTH_LOGIN_ACCOUNT_LIMIT": "50 per minute"}, 5),
    ],
    ids=["2-per-minute", "5-per-minute"],
)
def test_login_limit_follows_configuration(client: FlaskClient, limit: int) -> None:
    token = csrf_token(client)
    assert statuses([post_login(client, token, f"u{i}") for i in range(limit)]) == [200] * limit
    assert post_login(client, token, "one-more").status_code == 429


@pytest.mark.parametrize(
    ("config_overrides", "limit"),
    [
        ({"AUTH_LOGIN_LIMIT": "50 per minute", "AUTH_LOGIN_ACCOUNT_LIMIT": "1 per minute"}, 1),
        ({"AUTH_LOGIN_LIMIT": "50 per minute", "AUTH_LOGIN_ACCOUNT_LIMIT": "4 per minute"}, 4),
    ],
    ids=["1-per-minute", "4-per-minute"],
)
def test_account_login_limit_follows_configuration(client: FlaskClient, limit: int) -> None:
    token = csrf_token(client)
    failures = [post_login(client, token, "alice") for _ in range(limit)]
    assert statuses(failures) == [200] * limit
    assert post_login(client, token, "alice").status_code == 429


@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            "RATELIMIT_ENABLED": False,
            "AUTH_LOGIN_LIMIT": "1 per minute",
            "AUTH_LOGIN_ACCOUNT_LIMIT": "1 per minute",
            "AUTH_REGISTER_LIMIT": "1 per minute",
            "AUTH_FORGOT_PASSWORD_LIMIT": "1 per minute",
            "AUTH_ACTIVATION_LIMIT": "1 per minute",
        }
    ],
)
def test_rate_limits_can_be_switched_off(client: FlaskClient) -> None:
    token = csrf_token(client)
    assert 429 not in statuses([post_login(client, token, "alice") for _ in range(5)])
    for param in ACCOUNT_FORMS:
        path, data = param.values
        responses = [client.post(path, data={**data, "csrf_token": token}) for _ in range(3)]
        assert 429 not in statuses(responses), path


# -- behind a proxy ---------------------------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{**LIMITS, "PROXY_FIX_X_FOR": 1}])
def test_limit_counts_the_forwarded_client_behind_a_trusted_proxy(client: FlaskClient) -> None:
    token = csrf_token(client)
    proxy = "10.1.1.1"

    def attempt(forwarded_for: str, login: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        return post_login(client, token, login, remote_addr=proxy, headers=headers).status_code

    assert [attempt("203.0.113.7", f"u{i}") for i in range(3)] == [200] * 3
    assert attempt("203.0.113.7", "u3") == 429
    # Another client behind the same proxy has its own budget.
    assert attempt("203.0.113.8", "u4") == 200
    # The proxy appends the real client; what the client wrote itself in front is ignored.
    assert attempt("198.51.100.1, 203.0.113.7", "u5") == 429
    assert attempt("198.51.100.2, 203.0.113.7", "u6") == 429


def test_spoofed_forwarded_for_does_not_reset_the_limit_without_a_proxy(
    client: FlaskClient,
) -> None:
    token = csrf_token(client)
    responses = [
        post_login(client, token, f"u{i}", headers={"X-Forwarded-For": f"198.51.100.{i}"})
        for i in range(5)
    ]
    assert statuses(responses) == [200, 200, 200, 429, 429]


# -- logout and reauth ----------------------------------------------------------------------


def _form_token(response: TestResponse) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_DEFAULT": "2 per minute", "AUTH_LOGIN_LIMIT": "1 per minute"}],
)
def test_logout_is_never_rate_limited(client: FlaskClient, make_user: MakeUser) -> None:
    """Even with a default limit on every route, logging out always works."""
    make_user("alice")
    for i in range(4):
        # Log in from a fresh address each time: the default limit also covers the login
        # page, its GET and its POST.
        address = {"REMOTE_ADDR": f"10.0.2.{i}"}
        token = _form_token(client.get("/auth/login", environ_base=address))
        login = client.post(
            "/auth/login",
            data={"login": "alice", "password": PASSWORD, "csrf_token": token},
            environ_base=address,
        )
        assert login.status_code == 302

        # Log out, always from the same address.
        address = {"REMOTE_ADDR": "10.0.3.1"}
        token = _form_token(client.get("/auth/logout", environ_base=address))
        logout = client.post("/auth/logout", data={"csrf_token": token}, environ_base=address)
        assert logout.status_code == 302, f"logout {i + 1} answered {logout.status_code}"


# The account budget is set above the client budget, which is the one under test.
@pytest.mark.parametrize(
    "config_overrides", [{**LIMITS, "AUTH_LOGIN_ACCOUNT_LIMIT": "50 per minute"}]
)
def test_failed_password_confirmations_are_limited_per_client(
    client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    token = csrf_token(client)
    assert post_login(client, token, "alice", PASSWORD).status_code == 302

    token = csrf_token(client, "/auth/reauth")
    form = {"password": WRONG_PASSWORD, "csrf_token": token}
    assert statuses([client.post("/auth/reauth", data=form) for _ in range(3)]) == [200] * 3
    form["password"] = PASSWORD
    assert client.post("/auth/reauth", data=form).status_code == 429


def test_failed_password_confirmations_are_limited_per_account(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    """A stolen session cannot guess the password from many addresses."""
    make_user("alice")
    assert post_login(client, csrf_token(client), "alice", PASSWORD).status_code == 302

    token = csrf_token(client, "/auth/reauth")

    def confirm(password: str, address: str) -> int:
        form = {"password": password, "csrf_token": token}
        environ = {"REMOTE_ADDR": address}
        return client.post("/auth/reauth", data=form, environ_base=environ).status_code

    # Each guess from its own address: the per-client budget of 3 never comes into play.
    assert [confirm(WRONG_PASSWORD, f"10.0.4.{i}") for i in (1, 2)] == [200, 200]
    assert confirm(PASSWORD, "10.0.4.3") == 429
    # The budget belongs to the account: another member's confirmations are not refused.
    make_user("bob")
    other = app.test_client()
    assert post_login(other, csrf_token(other), "bob", PASSWORD).status_code == 302
    form = {"password": PASSWORD, "csrf_token": csrf_token(other, "/auth/reauth")}
    assert (
        other.post("/auth/reauth", data=form, environ_base={"REMOTE_ADDR": "10.0.4.4"}).status_code
        == 302
    )


# -- several apps in one process ------------------------------------------------------------


def test_switching_limits_off_in_another_app_leaves_this_app_limited(
    client: FlaskClient, tmp_path: Path
) -> None:
    token = csrf_token(client)
    assert statuses([post_login(client, token, f"u{i}") for i in range(3)]) == [200] * 3
    assert post_login(client, token, "u3").status_code == 429

    create_app({**base_config(tmp_path / "other.sqlite3"), "RATELIMIT_ENABLED": False})

    assert post_login(client, token, "u4").status_code == 429


def test_creating_another_app_does_not_reset_this_apps_counters(
    client: FlaskClient, tmp_path: Path
) -> None:
    token = csrf_token(client)
    assert statuses([post_login(client, token, f"u{i}") for i in range(3)]) == [200] * 3
    assert post_login(client, token, "u3").status_code == 429

    create_app(base_config(tmp_path / "other.sqlite3"))

    assert post_login(client, token, "u4").status_code == 429


# -- the storage ----------------------------------------------------------------------------


@pytest.mark.skipif(
    TEST_RATELIMIT_STORAGE_URI is None,
    reason="Redis only: set FORUMAPP_TEST_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6390/0",
)
def test_failed_logins_are_counted_in_the_configured_redis(app: Flask, client: FlaskClient) -> None:
    import redis

    assert TEST_RATELIMIT_STORAGE_URI is not None
    with app.app_context():
        assert type(limiter.storage).__name__ == "RedisStorage"
    store = redis.Redis.from_url(TEST_RATELIMIT_STORAGE_URI)
    try:
        assert store.dbsize() == 0
        post_login(client, csrf_token(client), "nobody")
        keys = [key.decode() for key in store.keys("*")]
    finally:
        store.close()
    assert any("client:" in key for key in keys), keys
    assert any("account:nobody" in key for key in keys), keys

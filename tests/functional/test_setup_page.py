"""The first-run setup page (``/setup``) through the test client: the one-time code from
the console opens it, it creates the first administrator and names the site, and it is
gone once an administrator exists."""

from __future__ import annotations

import hmac
import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.management.settings.store import SiteSetting
from forumapp.setup import codes
from forumapp.setup.codes import SetupCodeFile
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.conftest import PASSWORD, AuthActions, MakeUser, csrf_token


@pytest.fixture(autouse=True)
def _private_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The setup code lives in the instance folder: each test gets its own.
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture
def code(app: Flask) -> str:
    """A pending setup code, as ``forumapp run`` issues and prints it."""
    return SetupCodeFile(app.instance_path).issue()


def submit(client: FlaskClient, code: str, **fields: str) -> Any:
    """Fill in the setup form as the owner would."""
    data = {
        "code": code,
        "site_name": "Rock Climbers",
        "username": "owner",
        "email": "owner@example.org",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "csrf_token": csrf_token(client, "/auth/login"),
        **fields,
    }
    return client.post("/setup", data=data)


def admins(app: Flask) -> list[str]:
    """The usernames of every administrator."""
    with app.app_context():
        query = select(User.username).join(Group, User.group_id == Group.id).where(Group.admin)
        return list(db.session.scalars(query))


def test_the_setup_page_asks_for_the_code_and_the_first_account(
    client: FlaskClient, code: str
) -> None:
    page = client.get("/setup").get_data(as_text=True)

    for name in ("code", "site_name", "username", "email", "password", "confirm_password"):
        assert f'for="{name}"' in page
        assert f'name="{name}"' in page
    assert 'aria-describedby="code-hint"' in page
    assert 'name="csrf_token"' in page


def test_setup_creates_an_activated_admin_and_names_the_site(
    app: Flask, client: FlaskClient, auth: AuthActions, code: str
) -> None:
    response = submit(client, code.upper())

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/auth/login")
    assert admins(app) == ["owner"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "owner"))
        assert user is not None and user.activated
        stored = db.session.get(SiteSetting, "SITE_NAME")
        assert stored is not None and stored.value == '"Rock Climbers"'
    assert app.config["SITE_NAME"] == "Rock Climbers"
    assert auth.login("owner").status_code in (302, 303)
    assert "Rock Climbers" in client.get("/").get_data(as_text=True)


def test_setup_is_not_found_without_a_code_from_the_console(client: FlaskClient) -> None:
    assert client.get("/setup").status_code == 404
    assert submit(client, "abcd-efgh-jkmn-pqrs").status_code == 404


def test_a_wrong_code_is_refused_and_creates_nothing(
    app: Flask, client: FlaskClient, code: str
) -> None:
    response = submit(client, "2222-2222-2222-2222")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This is not the setup code" in page
    assert 'id="code-error"' in page
    assert admins(app) == []
    assert SetupCodeFile(app.instance_path).matches(code)


def test_the_setup_code_is_single_use(app: Flask, client: FlaskClient, code: str) -> None:
    assert submit(client, code).status_code == 303

    again = submit(client, code, username="second", email="second@example.org")

    assert again.status_code == 404
    assert admins(app) == ["owner"]
    assert not SetupCodeFile(app.instance_path).pending()


def test_setup_is_disabled_once_an_admin_exists(
    app: Flask, client: FlaskClient, make_user: MakeUser, code: str
) -> None:
    make_user("root", group=GroupKey.ADMIN)

    assert client.get("/setup").status_code == 404
    assert submit(client, code).status_code == 404
    assert admins(app) == ["root"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "short", "confirm_password": "short"}, "password", "at least"),
        ({"confirm_password": "something else"}, "confirm_password", "do not match"),
        ({"username": "a"}, "username", "3 to"),
        ({"email": "not-an-address"}, "email", "email"),
        ({"site_name": ""}, "site_name", "Name your site"),
    ],
    ids=["weak-password", "mismatch", "username", "email", "site-name"],
)
def test_bad_input_comes_back_as_field_errors_and_keeps_the_code(
    app: Flask, client: FlaskClient, code: str, fields: dict[str, str], field: str, message: str
) -> None:
    response = submit(client, code, **fields)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message.lower() in page.lower()
    assert admins(app) == []
    assert SetupCodeFile(app.instance_path).pending()


def test_a_taken_username_is_a_field_error_and_keeps_the_code(
    app: Flask, client: FlaskClient, make_user: MakeUser, code: str
) -> None:
    make_user("owner")

    response = submit(client, code)

    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)
    assert admins(app) == []
    assert SetupCodeFile(app.instance_path).pending()


@pytest.mark.parametrize("config_overrides", [{"SETUP_LIMIT": "2 per hour"}])
def test_setup_code_guesses_are_rate_limited(app: Flask, client: FlaskClient, code: str) -> None:
    statuses = [submit(client, f"guess-{n}").status_code for n in range(3)]

    assert statuses == [200, 200, 429]
    # Even the right code waits for the limit: it counts every submission.
    assert submit(client, code).status_code == 429
    assert admins(app) == []


def test_the_setup_code_file_is_readable_by_its_owner_only(app: Flask, code: str) -> None:
    path = Path(app.instance_path) / codes.FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(codes.normalized(code)) == codes.GROUPS * codes.GROUP_LENGTH


def test_the_setup_code_is_compared_in_constant_time(
    app: Flask, client: FlaskClient, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real_compare = hmac.compare_digest

    def recording_compare(given: bytes, stored: bytes) -> bool:
        compared.append((given, stored))
        return bool(real_compare(given, stored))

    monkeypatch.setattr(hmac, "compare_digest", recording_compare)

    submit(client, "2222-2222-2222-2222")

    # (The CSRF check compares its tokens the same way.)
    assert (b"2222222222222222", codes.normalized(code).encode()) in compared


def test_two_simultaneous_submissions_create_one_admin(
    app: Flask, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both submissions pass every check before either takes the code: only the claim
    # on the code can keep the second one out.
    both_checked = threading.Barrier(2, timeout=10)
    real_matches: Callable[[SetupCodeFile, str], bool] = SetupCodeFile.matches

    def matches_then_wait(self: SetupCodeFile, given: str) -> bool:
        result = real_matches(self, given)
        both_checked.wait()
        return result

    monkeypatch.setattr(SetupCodeFile, "matches", matches_then_wait)
    clients = [app.test_client(), app.test_client()]
    tokens = [csrf_token(one, "/auth/login") for one in clients]

    def post(index: int) -> int:
        data = {
            "code": code,
            "site_name": f"Site {index}",
            "username": f"owner{index}",
            "email": f"owner{index}@example.org",
            "password": PASSWORD,
            "confirm_password": PASSWORD,
            "csrf_token": tokens[index],
        }
        return clients[index].post("/setup", data=data).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(post, range(2)))

    assert statuses == [303, 404]
    assert len(admins(app)) == 1

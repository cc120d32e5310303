"""The ``forumapp`` command and the configuration sources it reads."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from limits.storage import MemoryStorage

import forumapp
from forumapp import create_app
from forumapp.cli import cli
from forumapp.config import ConfigError
from forumapp.database import upgrade_schema
from forumapp.extensions import db
from forumapp.resources import migrations_folder
from forumapp.setup.codes import SetupCodeFile
from tests.conftest import FAST_HASHING, PASSWORD, AuthActions, base_config, skip_on_postgresql
from tests.production.backends import ON_POSTGRESQL
from tests.servers import environment_with, free_port, stop, wait_until_serving

FORUMAPP_SCRIPT = Path(sys.executable).parent / "forumapp"
#: Tests of the embedded profile: the SQLite file forumapp makes in its instance folder.
INSTANCE_SQLITE = skip_on_postgresql("the embedded profile's SQLite file in the instance folder")
SERVER_START_TIMEOUT = 20.0


def invoke(*args: str, stdin: str | None = None) -> Result:
    """Run ``forumapp ARGS`` in this process, with the environment as it is now."""
    return CliRunner().invoke(cli, list(args), input=stdin, prog_name="forumapp")


def user_rows(database: Path) -> list[dict[str, Any]]:
    """Every account with its group, read straight from the SQLite file."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute(
            "SELECT u.username, u.email, u.activated, u.password_hash, g.key AS group_key,"
            " g.name AS group_name, g.admin AS group_admin"
            " FROM users AS u JOIN groups AS g ON g.id = u.group_id ORDER BY u.id"
        ).fetchall()
    return [dict(row) for row in rows]


# --- create-admin -------------------------------------------------------------------------


@pytest.fixture
def cli_database(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``forumapp`` at the ``app`` fixture's migrated database through the environment."""
    if ON_POSTGRESQL:
        pytest.skip(
            "SQLite only (the SQLite pass runs it): reads the SQLite file; "
            "tests/production/test_postgresql_cli.py runs create-admin on PostgreSQL"
        )
    database = tmp_path / "forumapp.sqlite3"
    assert database.is_file()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMAPP_SQLALCHEMY_DATABASE_URI", f"sqlite:///{database}")
    monkeypatch.setenv("FORUMAPP_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("FORUMAPP_MAIL_BACKEND", "locmem")
    for key, value in FAST_HASHING.items():
        monkeypatch.setenv(f"FORUMAPP_{key}", str(value))
    return database


def test_create_admin_creates_an_activated_administrator(
    cli_database: Path, client: FlaskClient, auth: AuthActions
) -> None:
    result = invoke(
        "create-admin", "--username", "Root", "--email", "Root@Example.org", "--password", PASSWORD
    )

    assert result.exit_code == 0, result.output
    assert "Created administrator Root" in result.output
    (row,) = user_rows(cli_database)
    assert row["username"] == "Root"
    assert row["email"].lower() == "root@example.org"
    assert row["activated"] == 1
    assert row["group_key"] == "admin"
    assert row["group_name"] == "Administrator"
    assert row["group_admin"] == 1
    assert row["password_hash"].startswith("$argon2id$")
    assert PasswordHasher().verify(row["password_hash"], PASSWORD)
    # The account works on the web right away: no activation email needed.
    assert auth.login("root", PASSWORD).status_code == 302
    assert "Logged in as <strong>Root</strong>" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 8 characters"),
        ("password", "too common"),
        ("qwertyuiop", "too common"),
        ("chief@example.org", "cannot be your username or email"),
        ("chief-admin", "cannot be your username"),
    ],
)
def test_create_admin_refuses_a_weak_password(
    cli_database: Path, password: str, message: str
) -> None:
    result = invoke(
        "create-admin", "--username", "chief-admin", "--email", "chief@example.org",
        "--password", password,
    )  # fmt: skip

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert user_rows(cli_database) == []


@pytest.mark.parametrize(
    ("username", "email"),
    [
        ("ROOT", "other@example.org"),
        ("root", "other@example.org"),
        ("someone-else", "ROOT@example.ORG"),
    ],
)
def test_create_admin_refuses_a_taken_username_or_email_in_any_case(
    cli_database: Path, username: str, email: str
) -> None:
    first = invoke(
        "create-admin", "--username", "Root", "--email", "root@example.org", "--password", PASSWORD
    )
    assert first.exit_code == 0, first.output

    result = invoke(
        "create-admin", "--username", username, "--email", email, "--password", PASSWORD
    )

    assert result.exit_code != 0
    assert "already exists" in result.output
    assert [row["username"] for row in user_rows(cli_database)] == ["Root"]


@pytest.mark.parametrize(
    "email", ["not-an-email", "root@", "root@@example.org", "root example@x.org"]
)
def test_create_admin_refuses_an_invalid_email(cli_database: Path, email: str) -> None:
    result = invoke("create-admin", "--username", "root", "--email", email, "--password", PASSWORD)

    assert result.exit_code != 0
    assert "email address is not valid" in result.output
    assert user_rows(cli_database) == []


@pytest.mark.parametrize("username", ["ab", "has space", "-dash-first", "x" * 100])
def test_create_admin_refuses_an_invalid_username(cli_database: Path, username: str) -> None:
    result = invoke(
        "create-admin", "--username", username, "--email", "a@example.org", "--password", PASSWORD
    )

    assert result.exit_code != 0
    assert "username must be" in result.output
    assert user_rows(cli_database) == []


def test_create_admin_prompts_for_a_hidden_password_when_omitted(cli_database: Path) -> None:
    result = invoke(
        "create-admin", "--username", "root", "--email", "root@example.org",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output
    (row,) = user_rows(cli_database)
    assert PasswordHasher().verify(row["password_hash"], PASSWORD)


def test_create_admin_prompts_for_everything_and_asks_again_on_a_mismatch(
    cli_database: Path,
) -> None:
    answers = ["root", "root@example.org", PASSWORD, "something else", PASSWORD, PASSWORD]
    result = invoke("create-admin", stdin="\n".join(answers) + "\n")

    assert result.exit_code == 0, result.output
    assert "Username:" in result.output
    assert "Email:" in result.output
    assert "do not match" in result.output
    assert [row["username"] for row in user_rows(cli_database)] == ["root"]


@INSTANCE_SQLITE
def test_create_admin_before_the_schema_exists_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "instance"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(instance))

    result = invoke(
        "create-admin", "--username", "root", "--email", "root@example.org", "--password", PASSWORD
    )

    # create-admin brings the schema up to date first, as `forumapp run` does.
    assert result.exit_code == 0, result.output
    assert [row["username"] for row in user_rows(instance / "forumapp.sqlite3")] == ["root"]


# --- forumapp run -----------------------------------------------------------------------------


@dataclass
class Server:
    """A ``forumapp run`` process and where its output goes."""

    process: subprocess.Popen[bytes]
    log: Path
    base_url: str

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def server_environment(instance: Path) -> dict[str, str]:
    """This environment without forumapp or Flask settings, plus the instance folder."""
    return environment_with({"INSTANCE_PATH": str(instance)})


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    """GET ``url`` directly (never through a configured proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


def wait_for_output(server: Server, text: str) -> str:
    """The server's output once it shows ``text`` (an emailed link, printed by the console
    mail backend)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while text not in server.output():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)
    return server.output()


@contextlib.contextmanager
def forumapp_run(instance: Path, workdir: Path) -> Iterator[Server]:
    """Start ``forumapp run`` on a free port, wait until it answers, and always stop it."""
    port = free_port()
    log = workdir / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(FORUMAPP_SCRIPT), "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=server_environment(instance),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, log, f"http://127.0.0.1:{port}")
    try:
        wait_until_serving(
            lambda: fetch(server.base_url + "/")[0] == 200,
            [process],
            server.output,
            SERVER_START_TIMEOUT,
            interval=0.1,
        )
        yield server
    finally:
        stop(process)


@pytest.mark.slow
@INSTANCE_SQLITE
def test_run_serves_the_forum_with_waitress_from_a_fresh_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert FORUMAPP_SCRIPT.is_file(), "the console script is not installed"
    instance = tmp_path / "instance"

    with forumapp_run(instance, tmp_path) as server:
        status, headers, page = fetch(server.base_url + "/auth/login")
        static_status, _, css = fetch(server.base_url + "/static/css/forumapp.css")
        setup_status = fetch(server.base_url + "/setup")[0]
        first_output = server.output()

    # One block says where the forum lives; the first-run hint names this venv's command
    # and a code for /setup, kept in the instance folder; Alembic says one line, no INFO.
    assert f"is serving on {server.base_url}/" in first_output
    assert f"  database  {instance / 'forumapp.sqlite3'}" in first_output
    assert "  mail      console" in first_output
    assert f"  instance  {instance}" in first_output
    assert f"{FORUMAPP_SCRIPT.resolve()} create-admin --username" in first_output
    assert f"Upgraded the database to {head_revision()}." in first_output
    assert "INFO" not in first_output
    printed_code = re.search(r"^    (\w{4}-\w{4}-\w{4}-\w{4})$", first_output, re.MULTILINE)
    assert printed_code
    assert SetupCodeFile(instance).matches(printed_code.group(1))
    assert setup_status == 200
    assert status == 200
    assert 'name="login"' in page
    assert static_status == 200
    assert css
    server_header = headers.get("Server", "")
    assert server_header
    assert "werkzeug" not in server_header.lower()
    assert (instance / "forumapp.sqlite3").is_file()
    secret_key = instance / "secret_key"
    assert secret_key.is_file()
    assert stat.S_IMODE(secret_key.stat().st_mode) == 0o600
    assert len(secret_key.read_text().strip()) >= 32

    # Once an administrator exists, the hint is gone and the same secret key is reused.
    key_before = secret_key.read_text()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(instance))
    created = invoke(
        "create-admin", "--username", "root", "--email", "root@example.org", "--password", PASSWORD
    )
    assert created.exit_code == 0, created.output
    monkeypatch.delenv("FORUMAPP_INSTANCE_PATH")

    with forumapp_run(instance, tmp_path) as server:
        assert fetch(server.base_url + "/auth/login")[0] == 200
        assert fetch(server.base_url + "/setup")[0] == 404
        second_output = server.output()

    assert "forumapp create-admin" not in second_output
    assert "Upgraded the database" not in second_output
    assert "INFO" not in second_output
    assert not SetupCodeFile(instance).pending()
    assert secret_key.read_text() == key_before


@pytest.mark.slow
@INSTANCE_SQLITE
def test_run_mails_links_to_the_address_it_serves_never_the_request_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "instance"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(instance))
    for key, value in FAST_HASHING.items():
        monkeypatch.setenv(f"FORUMAPP_{key}", str(value))

    with forumapp_run(instance, tmp_path) as server:
        created = invoke(
            "create-admin", "--username", "root", "--email", "root@example.org",
            "--password", PASSWORD,
        )  # fmt: skip
        assert created.exit_code == 0, created.output
        # Every request names another host, as a script asking for a victim's reset would.
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor()
        )
        headers = {"Host": "attacker.example"}
        url = server.base_url + "/auth/reset-password"
        page_request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our server
        with opener.open(page_request, timeout=5) as response:
            token = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()
            )
        assert token
        form = urllib.parse.urlencode({"email": "root@example.org", "csrf_token": token.group(1)})
        form_request = urllib.request.Request(url, form.encode(), headers)  # noqa: S310
        opener.open(form_request, timeout=5).close()
        output = wait_for_output(server, "/auth/reset-password/")

    links = re.findall(r"https?://\S+/auth/reset-password/\S+", output)
    assert links
    assert all(link.startswith(server.base_url + "/auth/reset-password/") for link in links)
    assert "attacker.example" not in output


@pytest.mark.slow
@INSTANCE_SQLITE
def test_run_delivers_an_activation_email_through_its_in_process_job_consumer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "instance"
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(instance))
    for key, value in FAST_HASHING.items():
        monkeypatch.setenv(f"FORUMAPP_{key}", str(value))

    with forumapp_run(instance, tmp_path) as server:
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor()
        )
        url = server.base_url + "/auth/register"
        with opener.open(url, timeout=5) as response:
            token = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()
            )
        assert token
        form = {
            "username": "bob",
            "email": "bob@example.org",
            "password": PASSWORD,
            "confirm_password": PASSWORD,
            "language": "en",
            "accept_tos": "y",
            "csrf_token": token.group(1),
        }
        opener.open(url, urllib.parse.urlencode(form).encode(), timeout=5).close()
        # The console mail backend prints the email once the consumer thread has sent it.
        output = wait_for_output(server, "/auth/activate/confirm/")

    assert "run by a thread of this process" in output
    assert output.count("Subject: [forumapp] Activate your account") == 1
    assert (instance / "jobs.sqlite3").is_file()


@pytest.mark.slow
def test_run_refuses_an_unsafe_production_setup_with_a_plain_message(tmp_path: Path) -> None:
    env = server_environment(tmp_path / "instance")
    env["FORUMAPP_PRODUCTION"] = "true"
    env["FORUMAPP_SECRET_KEY"] = SAFE_PRODUCTION_ENV["FORUMAPP_SECRET_KEY"]

    completed = subprocess.run(
        [str(FORUMAPP_SCRIPT), "run", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "RATELIMIT_STORAGE_URI" in output
    assert "SESSION_COOKIE_SECURE" in output
    assert "EXTERNAL_URL" in output
    assert "Traceback" not in output


@pytest.mark.slow
@INSTANCE_SQLITE
def test_run_debug_serves_with_the_reloader_and_one_setup_code(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    port = free_port()
    log = tmp_path / "debug.log"
    with log.open("wb") as sink:
        # A session of its own: the reloader's child process stops with its parent.
        process = subprocess.Popen(
            [str(FORUMAPP_SCRIPT), "run", "--debug", "--port", str(port)],
            cwd=tmp_path,
            env=server_environment(instance),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(
            lambda: fetch(f"http://127.0.0.1:{port}/setup")[0] == 200,
            [process],
            lambda: log.read_text(errors="replace"),
            SERVER_START_TIMEOUT,
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    output = log.read_text(errors="replace")

    codes = re.findall(r"^    (\w{4}-\w{4}-\w{4}-\w{4})$", output, re.MULTILINE)
    assert len(codes) == 1, output
    assert SetupCodeFile(instance).matches(codes[0])
    assert output.count("is serving on") == 1


def test_a_port_in_use_stops_run_with_one_line_and_exit_code_1(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [str(FORUMAPP_SCRIPT), "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=server_environment(tmp_path / "instance"),
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        f"Error: Port {port} on 127.0.0.1 is already in use: stop the program using it, "
        "or choose another port with --port."
    ]
    # It stopped before touching the database.
    assert not (tmp_path / "instance" / "forumapp.sqlite3").exists()


# --- forumapp --help, --version -----------------------------------------------------------


def test_version_prints_forumapps_own_version() -> None:
    result = invoke("--version")

    assert result.exit_code == 0
    assert result.output == f"forumapp {importlib.metadata.version('forumapp')}\n"


def test_help_lists_forumapps_own_commands_with_whole_descriptions(config_env: Path) -> None:
    result = invoke("--help")

    assert result.exit_code == 0, result.output
    commands = result.output.split("Commands:")[1]
    listed = [line.split()[0] for line in commands.splitlines() if line.startswith("  ")]
    assert listed == [
        "create-admin",
        "db",
        "demo",
        "dev",
        "jobs",
        "notify",
        "run",
        "translations",
        "worker",
    ]
    assert "..." not in commands
    assert "Create an activated administrator account." in commands
    for flask_noise in ("--env-file", "--app", "--debug", "Flask version"):
        assert flask_noise not in result.output


def test_flasks_developer_helpers_live_under_dev(config_env: Path) -> None:
    listed = invoke("dev", "--help")
    routes = invoke("dev", "routes")

    assert listed.exit_code == 0, listed.output
    assert "routes" in listed.output and "shell" in listed.output
    assert routes.exit_code == 0, routes.output
    assert "setup.setup" in routes.output
    assert invoke("routes").exit_code != 0


# --- the instance folder ------------------------------------------------------------------


def test_the_instance_folder_is_the_environments_however_forumapp_was_installed() -> None:
    # `pip install .` and `pip install -e .` import forumapp from different places; the
    # instance folder (database, secret key) must not move between them.
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.instance_path == str(Path(sys.prefix) / "var" / "forumapp-instance")
    assert app.instance_path != str(Path(forumapp.__file__).parents[1] / "instance")


@INSTANCE_SQLITE
def test_upgrading_the_schema_is_quiet_and_says_what_it_did(
    config_env: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    app = create_app()

    first = upgrade_schema(app)
    second = upgrade_schema(app)

    assert (first, second) == (head_revision(), None)
    captured = capfd.readouterr()
    assert captured.out + captured.err == ""


# --- forumapp db --------------------------------------------------------------------------------


def alembic_revision(database: Path) -> str | None:
    """The schema revision Alembic recorded in ``database``, if any."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            return None
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def head_revision() -> str | None:
    """The newest migration shipped with forumapp."""
    config = AlembicConfig()
    config.set_main_option("script_location", migrations_folder())
    return ScriptDirectory.from_config(config).get_current_head()


@INSTANCE_SQLITE
def test_db_current_and_upgrade_work_on_a_fresh_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "fresh-instance"
    database = instance / "forumapp.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(instance))

    before = invoke("db", "current")
    assert before.exit_code == 0, before.output
    assert alembic_revision(database) is None

    upgraded = invoke("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert alembic_revision(database) == head_revision()
    with contextlib.closing(sqlite3.connect(database)) as connection:
        keys = {row[0] for row in connection.execute("SELECT key FROM groups")}
    assert {"admin", "member", "banned", "guest"} <= keys

    after = invoke("db", "current")
    assert after.exit_code == 0, after.output
    again = invoke("db", "upgrade")
    assert again.exit_code == 0, again.output
    assert alembic_revision(database) == head_revision()


# --- configuration --------------------------------------------------------------------------


@pytest.fixture
def config_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private instance folder and working directory for apps built in the test."""
    instance = tmp_path / "instance"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(instance))
    return instance


def write_toml(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FORUMAPP_CONFIG", str(path))
    return path


def test_config_precedence_defaults_toml_environment_overrides(
    config_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    write_toml(
        tmp_path / "forumapp.toml",
        'SITE_NAME = "From TOML"\nSITE_DESCRIPTION = "Described in TOML"\n'
        "REAUTH_WINDOW_SECONDS = 120\n",
        monkeypatch,
    )

    from_toml = create_app(database).config
    assert from_toml["SITE_NAME"] == "From TOML"
    assert from_toml["SITE_DESCRIPTION"] == "Described in TOML"
    assert from_toml["REAUTH_WINDOW_SECONDS"] == 120
    assert from_toml["AUTH_LOGIN_LIMIT"] == "10 per 5 minutes"  # untouched default

    monkeypatch.setenv("FORUMAPP_SITE_NAME", "From env")
    monkeypatch.setenv("FORUMAPP_REAUTH_WINDOW_SECONDS", "300")
    from_env = create_app(database).config
    assert from_env["SITE_NAME"] == "From env"
    assert from_env["SITE_DESCRIPTION"] == "Described in TOML"
    assert from_env["REAUTH_WINDOW_SECONDS"] == 300

    app = create_app({**database, "SITE_NAME": "From overrides", "RATELIMIT_ENABLED": False})
    assert app.config["SITE_NAME"] == "From overrides"
    assert app.config["SITE_DESCRIPTION"] == "Described in TOML"
    assert app.config["REAUTH_WINDOW_SECONDS"] == 300
    page = app.test_client().get("/auth/login").get_data(as_text=True)
    assert "From overrides" in page
    assert "From env" not in page


def test_environment_strings_that_look_like_numbers_stay_strings(
    config_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORUMAPP_SITE_NAME", "2024")

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["SITE_NAME"] == "2024"


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("SECRET_KEY", "1234567890123456789012345678901234567890"),
        ("MAIL_PASSWORD", "20240917"),
        ("SITE_NAME", "1.50"),
        ("SITE_NAME", "1e3"),
    ],
)
def test_text_settings_from_the_environment_keep_their_exact_text(
    config_env: Path, monkeypatch: pytest.MonkeyPatch, key: str, raw: str
) -> None:
    monkeypatch.setenv(f"FORUMAPP_{key}", raw)

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config[key] == raw


def test_an_empty_secret_key_file_never_becomes_the_secret_key(config_env: Path) -> None:
    config_env.mkdir()
    (config_env / "secret_key").touch(mode=0o600)

    app: Flask | None = None
    refusal = ""
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    except ConfigError as exc:
        refusal = str(exc)

    # A damaged key file is refused with advice, never used as an empty key.
    assert app is None
    assert "secret_key" in refusal


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("REAUTH_WINDOW_SECONDS", "ten"),
        ("REAUTH_WINDOW_SECONDS", "true"),
        ("REGISTRATION_ENABLED", "maybe"),
        ("LANGUAGES", "en"),
    ],
)
def test_a_value_of_the_wrong_type_stops_the_app_naming_the_key(
    config_env: Path, monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    monkeypatch.setenv(f"FORUMAPP_{key}", value)

    with pytest.raises(ConfigError, match=key):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("content", [None, "SITE_NAME = 'unterminated\n"])
def test_an_unreadable_config_file_stops_the_app(
    config_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None
) -> None:
    path = tmp_path / "forumapp.toml"
    if content is not None:
        path.write_text(content)
    monkeypatch.setenv("FORUMAPP_CONFIG", str(path))

    with pytest.raises(ConfigError, match="FORUMAPP_CONFIG"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


class SharedStorageStandIn(MemoryStorage):
    """Stands in for a shared limiter storage (Redis) without a server or client library.

    limits registers every storage class under its ``STORAGE_SCHEME``.
    """

    STORAGE_SCHEME = ["forumapp-test-shared"]


#: Everything production mode asks for, as environment variables.
SAFE_PRODUCTION_ENV = {
    "FORUMAPP_PRODUCTION": "true",
    "FORUMAPP_SECRET_KEY": "a-long-random-production-secret-0123456789abcdef",
    "FORUMAPP_RATELIMIT_STORAGE_URI": "forumapp-test-shared://",
    "FORUMAPP_SESSION_COOKIE_SECURE": "true",
    "FORUMAPP_REMEMBER_COOKIE_SECURE": "true",
    "FORUMAPP_EXTERNAL_URL": "https://forum.example.org",
    "FORUMAPP_MAIL_BACKEND": "smtp",
    "FORUMAPP_MAIL_SERVER": "mail.example.org",
}


@pytest.fixture
def production_env(
    config_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A safe production environment; tests make it unsafe one key at a time."""
    env = {
        **SAFE_PRODUCTION_ENV,
        "FORUMAPP_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_production_without_secret_key_refuses_and_generates_none(
    production_env: dict[str, str], config_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORUMAPP_SECRET_KEY")

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    assert not (config_env / "secret_key").exists()


def test_production_flag_alone_refuses_naming_every_unsafe_key(
    config_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORUMAPP_PRODUCTION", "true")
    monkeypatch.setenv("FORUMAPP_SECRET_KEY", SAFE_PRODUCTION_ENV["FORUMAPP_SECRET_KEY"])

    with pytest.raises(ConfigError) as raised:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    message = str(raised.value)
    for key in (
        "RATELIMIT_STORAGE_URI",
        "SESSION_COOKIE_SECURE",
        "REMEMBER_COOKIE_SECURE",
        "EXTERNAL_URL",
        "MAIL_BACKEND",
    ):
        assert key in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("RATELIMIT_STORAGE_URI", "memory://"),
        ("SESSION_COOKIE_SECURE", "false"),
        ("REMEMBER_COOKIE_SECURE", "false"),
        ("EXTERNAL_URL", None),
        ("MAIL_BACKEND", "console"),
    ],
)
def test_production_refuses_each_unsafe_setting_by_name(
    production_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, key: str, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv(f"FORUMAPP_{key}")
    else:
        monkeypatch.setenv(f"FORUMAPP_{key}", value)

    with pytest.raises(ConfigError) as raised:
        create_app()
    message = str(raised.value)
    assert key in message
    others = {"RATELIMIT_STORAGE_URI", "SESSION_COOKIE_SECURE", "EXTERNAL_URL", "MAIL_BACKEND"}
    assert not [other for other in others - {key} if f"- {other}" in message]


def test_a_safe_production_configuration_starts(production_env: dict[str, str]) -> None:
    app = create_app()

    assert app.config["PRODUCTION"] is True
    assert not app.testing
    response = app.test_client().get("/auth/login")
    assert response.status_code == 200
    cookie = response.headers.get("Set-Cookie", "")
    assert "forumapp_session=" in cookie
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


# --- configuration rules ------------------------------------------------------------------------


def refusal(overrides: dict[str, Any] | None = None) -> str:
    """The message of the ConfigError that stops ``create_app``, or fail."""
    with pytest.raises(ConfigError) as raised:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **(overrides or {})})
    return str(raised.value)


@pytest.mark.parametrize(
    "key",
    [
        "AUTH_LOGIN_LIMIT",
        "AUTH_LOGIN_ACCOUNT_LIMIT",
        "AUTH_REGISTER_LIMIT",
        "AUTH_FORGOT_PASSWORD_LIMIT",
        "AUTH_ACTIVATION_LIMIT",
        "FORUM_POST_LIMIT",
        "FORUM_PREVIEW_LIMIT",
        "FORUM_REPORT_LIMIT",
        "API_RATE_LIMIT",
        "API_ADDRESS_RATE_LIMIT",
    ],
)
@pytest.mark.parametrize("raw", ["0 per minute", "lots", "'3 per minute'", "3 per fortnight", ""])
def test_every_rate_limit_setting_must_parse_and_allow_at_least_one_request(
    config_env: Path, monkeypatch: pytest.MonkeyPatch, key: str, raw: str
) -> None:
    monkeypatch.setenv(f"FORUMAPP_{key}", raw)

    message = refusal()

    assert f"- {key} " in message


@pytest.mark.parametrize("raw", ['"3 per minute"', "3 per minute"])
def test_a_json_quoted_rate_limit_from_the_environment_still_limits(
    app: Flask, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("FORUMAPP_AUTH_LOGIN_LIMIT", raw)
    limited = create_app(
        {
            **base_config(app.config["SQLALCHEMY_DATABASE_URI"]),
            "AUTH_LOGIN_ACCOUNT_LIMIT": "50/minute",
        }
    )
    auth = AuthActions(limited.test_client())

    statuses = [auth.login(f"nobody{n}", "wrong password").status_code for n in range(4)]

    assert limited.config["AUTH_LOGIN_LIMIT"] == "3 per minute"
    assert statuses == [200, 200, 200, 429]
    with limited.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TOPICS_PER_PAGE", 0),
        ("POSTS_PER_PAGE", -5),
        ("SEARCH_RESULTS_PER_PAGE", 0),
        ("SEARCH_RANKED_MATCHES", 0),
        ("MAIL_PORT", 70000),
        ("PROXY_FIX_X_FOR", -1),
        ("REAUTH_WINDOW_SECONDS", 0),
        ("ARGON2_PARALLELISM", 0),
        ("UNREAD_WINDOW_DAYS", 0),
        ("VIEW_COUNT_FLUSH_EVERY", 0),
        ("MAIL_BACKEND", "carrier-pigeon"),
        ("SQLALCHEMY_DATABASE_URI", "not a database url"),
        ("SQLALCHEMY_DATABASE_URI", "nosuchdb://host/forum"),
        ("RATELIMIT_STORAGE_URI", "redsi://localhost:6379"),
        ("EXTERNAL_URL", "forum.example.org"),
        ("EXTERNAL_URL", "javascript:alert(1)"),
        ("TRUSTED_HOSTS", ["https://forum.example.org"]),
        ("TRUSTED_HOSTS", ["forum.example.org:443"]),
        ("TRUSTED_HOSTS", []),
        ("TRUSTED_HOSTS", ["forum.example.org\x00"]),
        ("LANGUAGES", {"en": "Eng\nlish"}),
        ("LANGUAGES", {"en": "English", "xx-nowhere": "Nowhere"}),
        ("SESSION_COOKIE_SAMESITE", "lax-ish"),
        ("DEFAULT_LANGUAGE", "xx"),
        ("PASSWORD_MIN_LENGTH", 2000),
    ],
)
def test_values_that_would_do_the_wrong_thing_stop_the_app_naming_the_key(
    config_env: Path, key: str, value: object
) -> None:
    message = refusal({key: value})

    assert key in message
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("SITE_NAME", "My\nForum"),
        ("SITE_NAME", "My\rForum"),
        ("SITE_DESCRIPTION", "nul\x01byte"),
        ("MAIL_DEFAULT_SENDER", "forum <noreply@example.org>\r\nBcc: everyone@example.org"),
        ("SITE_NAME", '"Quoted\\nnewline"'),
    ],
)
def test_control_characters_in_text_settings_stop_the_app(
    config_env: Path, monkeypatch: pytest.MonkeyPatch, key: str, raw: str
) -> None:
    monkeypatch.setenv(f"FORUMAPP_{key}", raw)

    assert f"- {key} contains control characters" in refusal()


def test_trusted_hosts_may_be_a_comma_separated_list(
    config_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORUMAPP_TRUSTED_HOSTS", "forum.example.org, .forum.example.org")

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["TRUSTED_HOSTS"] == ["forum.example.org", ".forum.example.org"]


def test_every_configuration_problem_is_reported_at_once_one_line_each(
    config_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORUMAPP_TOPICS_PER_PAGE", "0")
    monkeypatch.setenv("FORUMAPP_AUTH_LOGIN_LIMIT", "0 per minute")
    monkeypatch.setenv("FORUMAPP_REGISTRATION_ENABLED", "maybe")

    lines = refusal().splitlines()

    problems = [line for line in lines if line.startswith("- ")]
    assert [line.split()[1] for line in problems] == [
        "REGISTRATION_ENABLED",
        "AUTH_LOGIN_LIMIT",
        "TOPICS_PER_PAGE",
    ]


BAD_ENVIRONMENT = {
    "FORUMAPP_TOPICS_PER_PAGE": "0",
    "FORUMAPP_AUTH_LOGIN_LIMIT": "0 per minute",
    "FORUMAPP_MAIL_BACKEND": "carrier-pigeon",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["forumapp", "run", "--port", "PORT"],
        ["flask", "--app", "forumapp", "db", "current"],
        ["forumapp", "--help"],
    ],
    ids=["forumapp-run", "flask-app", "forumapp-help"],
)
def test_configuration_problems_stop_the_commands_with_one_line_each_and_no_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    env = {**server_environment(tmp_path / "instance"), **BAD_ENVIRONMENT}
    arguments = [str(free_port()) if argument == "PORT" else argument for argument in command]

    completed = subprocess.run(
        [str(FORUMAPP_SCRIPT.parent / arguments[0]), *arguments[1:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    output = completed.stdout + completed.stderr
    # Help still lists the commands; any other command stops.
    assert (completed.returncode == 0) == ("--help" in command)
    assert "Traceback" not in output
    for variable in BAD_ENVIRONMENT:
        key = variable.removeprefix("FORUMAPP_")
        assert len([line for line in output.splitlines() if line.startswith(f"- {key} ")]) == 1

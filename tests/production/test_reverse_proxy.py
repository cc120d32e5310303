"""Both servers behind a real reverse proxy: nginx in front of ``forumapp run`` (waitress)
and of gunicorn, with ``PROXY_FIX_X_FOR=1``.

Clients connect to nginx from different loopback addresses (127.0.0.2, 127.0.0.3, ...), so
the proxy reports a different client for each, as it would for people on the internet. The
login limit must count each of them on its own: one person using up their budget must not
lock out everyone else behind the same proxy.

Needs Debian's ``nginx``; without it these tests skip, except in CI (``CI=true``), where
they fail. Each server runs on SQLite in its own instance folder with in-process limits.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.conftest import FAST_HASHING
from tests.production.backends import IN_CI
from tests.servers import environment_with, free_port, stop, wait_until_serving

BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT = 30.0
LOGIN_BUDGET = 3
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def nginx() -> str:
    """The nginx binary; a failure in CI when it is missing, a skip elsewhere."""
    if Path(NGINX).is_file():
        return NGINX
    message = "these tests need Debian's nginx: apt-get install nginx"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def server_environment(instance: Path) -> dict[str, str]:
    """The embedded profile with one trusted proxy and a small login budget."""
    settings = {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "reverse-proxy-test-secret-key-0123456789",
        "MAIL_BACKEND": "locmem",
        "PROXY_FIX_X_FOR": "1",
        "AUTH_LOGIN_LIMIT": f"{LOGIN_BUDGET} per 10 minutes",
        "AUTH_LOGIN_ACCOUNT_LIMIT": "100 per 10 minutes",
        **{key: str(value) for key, value in FAST_HASHING.items()},
    }
    return environment_with(settings)


def waitress_command(port: int) -> list[str]:
    """``forumapp run``: the built-in server of the Quick start."""
    return [str(BIN / "forumapp"), "run", "--host", "127.0.0.1", "--port", str(port)]


def gunicorn_command(port: int) -> list[str]:
    """gunicorn as in Deployment, with one worker so the in-process budget is the only one."""
    return [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "forumapp:create_app()"]


NGINX_CONFIG = """\
{user}
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/client-body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@dataclass
class Process:
    """A server started by the test, with its output in a log file."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextlib.contextmanager
def started(command: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[Process]:
    """Run ``command`` until the block ends, then stop it (killing it if it will not stop)."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=log.parent, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield Process(process, log)
    finally:
        stop(process, timeout=20)


def wait_until_answering(port: int, *processes: Process) -> None:
    """Until ``GET /`` on ``port`` answers 200, failing early if a process exited."""
    wait_until_serving(
        lambda: Client(port, "127.0.0.1").request("GET", "/")[0] == 200,
        [server.process for server in processes],
        lambda: "\n".join(server.output() for server in processes),
        START_TIMEOUT,
        interval=0.1,
        errors=(OSError, http.client.HTTPException),
    )


@dataclass
class Client:
    """A browser at its own address: it connects to the proxy from ``address``."""

    port: int
    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
            return response.status, response.read().decode()
        finally:
            connection.close()

    def failed_login(self, login: str, headers: dict[str, str] | None = None) -> int:
        status, page = self.request("GET", "/auth/login")
        match = _CSRF.search(page)
        assert status == 200 and match, f"no login form: {status}"
        form = {"login": login, "password": "not the password", "csrf_token": match.group(1)}
        return self.request("POST", "/auth/login", form, headers)[0]


@pytest.fixture(params=["waitress", "gunicorn"])
def proxied_port(request: pytest.FixtureRequest, nginx: str, tmp_path: Path) -> Iterator[int]:
    """The port of nginx in front of a fresh forumapp served by waitress or gunicorn."""
    env = server_environment(tmp_path / "instance")
    upstream, port = free_port(), free_port()
    if request.param == "gunicorn":
        upgrade = subprocess.run(
            [str(BIN / "forumapp"), "db", "upgrade"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        command = gunicorn_command(upstream)
    else:
        command = waitress_command(upstream)
    config = tmp_path / "nginx.conf"
    # As root, the worker would otherwise switch to "nobody", who cannot use this folder.
    user = "user root;" if os.geteuid() == 0 else ""
    config.write_text(
        NGINX_CONFIG.format(user=user, workdir=tmp_path, port=port, upstream=upstream)
    )
    nginx_command = [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "nginx-error.log")]
    with (
        started(command, tmp_path / "server.log", env) as server,
        started([*nginx_command, "-c", str(config)], tmp_path / "nginx.log") as proxy,
    ):
        wait_until_answering(port, server, proxy)
        yield port


def test_login_limits_count_each_client_behind_the_proxy_on_its_own(proxied_port: int) -> None:
    greedy = Client(proxied_port, "127.0.0.2")
    statuses = [greedy.failed_login(f"nobody{n}") for n in range(LOGIN_BUDGET + 1)]
    # Claiming another address does not help: the proxy adds the one it saw.
    spoofed = greedy.failed_login("nobody-else", headers={"X-Forwarded-For": "198.51.100.7"})

    others = [Client(proxied_port, f"127.0.0.{n}").failed_login("someone") for n in (3, 4)]

    assert statuses == [200] * LOGIN_BUDGET + [429]
    assert spoofed == 429
    assert others == [200, 200]

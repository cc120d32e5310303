"""Request bodies over ``MAX_CONTENT_LENGTH`` are refused with the site's own 413, whether
they come with a ``Content-Length`` or ``Transfer-Encoding: chunked``; bodies within the
limit are read whole either way. Through the test client and through real servers:
waitress (``forumapp run``) and gunicorn."""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.forum.models import Topic
from tests.api_support import API, NO_RATE_LIMITS, bearer, issue_token
from tests.conftest import PASSWORD, csrf_token, skip_on_postgresql
from tests.forum_world import World
from tests.production.backends import IN_CI
from tests.servers import environment_with, free_port, stop, wait_until_serving

LIMIT = 64 * 1024
FORM = "application/x-www-form-urlencoded"
BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 30.0


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {**NO_RATE_LIMITS, "MAX_CONTENT_LENGTH": LIMIT}


def topic_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Topic)) or 0


class Trickle(io.BytesIO):
    """A body that arrives a few bytes at a time, as a WSGI input stream may hand it on."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(min(size, 1000) if size is not None and size >= 0 else 1000)


def post_chunked(
    client: FlaskClient, path: str, body: bytes, trickle: bool = False, **headers: str
) -> Any:
    """POST ``body`` without a length, as a server that decodes chunked bodies hands it on
    (``wsgi.input_terminated``: gunicorn and Werkzeug's server set it)."""
    return client.post(
        path,
        input_stream=Trickle(body) if trickle else io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", **headers},
        # The test client counts the stream's bytes into a Content-Length: take it away.
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )


# -- through the test client -------------------------------------------------------------------


def test_a_chunked_form_over_the_limit_is_refused_with_the_site_413_page(
    client: FlaskClient, world: World
) -> None:
    # The token comes first: a body cut at the limit would still pass the CSRF check.
    body = urlencode(
        {"csrf_token": csrf_token(client), "password": PASSWORD, "login": "alice" + "a" * LIMIT}
    ).encode()

    response = post_chunked(client, "/auth/login", body, **{"Content-Type": FORM})

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "Too much data" in response.text
    assert 'class="site-header"' in response.text


@pytest.mark.parametrize("trickle", [False, True], ids=["at-once", "in-short-reads"])
def test_a_chunked_form_within_the_limit_is_read_whole(
    client: FlaskClient, world: World, trickle: bool
) -> None:
    # The token comes last, after most of the limit: only a body read to its end logs in.
    body = (
        urlencode({"filler": "x" * (LIMIT - 1000), "login": "alice", "password": PASSWORD}).encode()
        + f"&csrf_token={csrf_token(client)}".encode()
    )

    response = post_chunked(client, "/auth/login", body, trickle, **{"Content-Type": FORM})

    assert response.status_code == 302, response.text


def test_a_chunked_api_body_over_the_limit_is_a_413_problem_and_writes_nothing(
    app: Flask, client: FlaskClient, world: World
) -> None:
    secret = issue_token(app, world.users["member"])
    document = {"forum_id": world.forum_a, "title": "Huge", "content": "x" * LIMIT}

    response = post_chunked(
        client,
        API + "/topics/",
        json.dumps(document).encode(),
        **{"Content-Type": "application/json"},
        **bearer(secret),
    )

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert topic_count(app) == 0


def test_a_body_over_the_limit_is_refused_even_where_no_view_reads_it(
    client: FlaskClient,
) -> None:
    response = post_chunked(client, "/", b"x" * (LIMIT + 1))

    assert response.status_code == 413
    assert "Too much data" in response.text


# -- through real servers ------------------------------------------------------------------------


@dataclass
class Answer:
    """What a server sent back to a raw HTTP request."""

    status: int
    content_type: str
    body: str


def raw_post(port: int, path: str, headers: dict[str, str], body: bytes, chunked: bool) -> Answer:
    """POST ``body`` over a socket, reading the answer while still sending, as browsers and
    curl do: a server may answer 413 and close before the body is all sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(len(body))}
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in {**headers, **framing}.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()

    def send() -> None:
        with contextlib.suppress(OSError):  # the server may stop reading: that is allowed
            sock.sendall(head)
            for start in range(0, len(body), 64 * 1024):
                part = body[start : start + 64 * 1024]
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            if chunked:
                sock.sendall(b"0\r\n\r\n")

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    received = bytearray()
    with sock, contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(64 * 1024):
            received += chunk
    sender.join(timeout=30)
    header_block, _, content = bytes(received).partition(b"\r\n\r\n")
    status_line, *header_lines = header_block.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in header_lines)
    if fields.get("Transfer-Encoding") == "chunked":
        content = dechunk(content)
    return Answer(int(status_line.split()[1]), fields.get("Content-Type", ""), content.decode())


def dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)


@dataclass
class Site:
    """A running server and a session on it (cookie and CSRF token of the login form)."""

    port: int
    cookie: str
    token: str


@contextlib.contextmanager
def serving(command: list[str], port: int, env: dict[str, str], log: Path) -> Iterator[Site]:
    """Run ``command`` until it serves the login form on ``port``; always stop it."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        yield wait_until_serving(
            lambda: open_session(port),
            [process],
            lambda: log.read_text(errors="replace"),
            SERVER_START_TIMEOUT,
        )
    finally:
        stop(process)


def open_session(port: int) -> Site:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        received = bytearray()
        while chunk := sock.recv(64 * 1024):
            received += chunk
    page = bytes(received).decode()
    cookie = re.search(r"Set-Cookie: (\w*session=[^;]+)", page, re.IGNORECASE)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if cookie is None or token is None:
        raise OSError("the login form is not served yet")
    return Site(port, cookie.group(1), token.group(1))


SERVERS = ["waitress", "gunicorn"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    """``forumapp run`` (waitress) and gunicorn serving one instance folder."""
    if not (BIN / "gunicorn").is_file():
        message = f"the real-server body tests need gunicorn ({BIN / 'gunicorn'})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    workdir = tmp_path_factory.mktemp("bodies")
    env = environment_with({"INSTANCE_PATH": str(workdir / "instance")})
    waitress_port, gunicorn_port = free_port(), free_port()
    waitress = [str(BIN / "forumapp"), "run", "--port", str(waitress_port)]
    gunicorn = [
        str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{gunicorn_port}",
        "forumapp:create_app()",
    ]  # fmt: skip
    # forumapp run brings the schema up first; gunicorn then serves the same database.
    with (
        serving(waitress, waitress_port, env, workdir / "waitress.log") as on_waitress,
        serving(gunicorn, gunicorn_port, env, workdir / "gunicorn.log") as on_gunicorn,
    ):
        yield {"waitress": on_waitress, "gunicorn": on_gunicorn}


def login_form(site: Site, login: str, *, token_first: bool) -> tuple[dict[str, str], bytes]:
    fields = {"password": PASSWORD, "login": login}
    token = {"csrf_token": site.token}
    body = urlencode({**token, **fields} if token_first else {**fields, **token}).encode()
    return {"Cookie": site.cookie, "Content-Type": FORM}, body


@skip_on_postgresql("real servers on the embedded profile's SQLite instance folder")
@pytest.mark.slow
@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("server", SERVERS)
def test_a_10_mb_body_gets_the_site_413_page_from_real_servers(
    sites: dict[str, Site], server: str, chunked: bool
) -> None:
    site = sites[server]
    headers, body = login_form(site, "a" * 10_000_000, token_first=True)

    answer = raw_post(site.port, "/auth/login", headers, body, chunked)

    assert answer.status == 413, answer.body[:500]
    assert answer.content_type.startswith("text/html")
    assert "Too much data" in answer.body
    assert 'class="site-header"' in answer.body


@skip_on_postgresql("real servers on the embedded profile's SQLite instance folder")
@pytest.mark.slow
@pytest.mark.parametrize("server", SERVERS)
def test_a_10_mb_chunked_api_body_gets_a_413_problem_from_real_servers(
    sites: dict[str, Site], server: str
) -> None:
    body = json.dumps({"forum_id": 1, "title": "Huge", "content": "x" * 10_000_000}).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Bearer fa_unknown"}

    answer = raw_post(sites[server].port, API + "/topics/", headers, body, chunked=True)

    assert answer.status == 413, answer.body[:500]
    assert answer.content_type.startswith("application/problem+json")


@skip_on_postgresql("real servers on the embedded profile's SQLite instance folder")
@pytest.mark.slow
@pytest.mark.parametrize("server", SERVERS)
def test_a_chunked_body_within_the_limit_is_read_whole_by_real_servers(
    sites: dict[str, Site], server: str
) -> None:
    site = sites[server]
    # 900 kB of login before the token: a body cut short would fail the CSRF check (400).
    headers, body = login_form(site, "a" * 900_000, token_first=False)

    answer = raw_post(site.port, "/auth/login", headers, body, chunked=True)

    # The whole form arrived: the login is refused as a wrong one, on the login page.
    assert answer.status == 200, answer.body[:500]
    assert 'name="login"' in answer.body

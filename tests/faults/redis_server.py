"""A Redis server of the test's own, to stop, freeze and start again.

The suite's shared Redis (``FORUMAPP_TEST_RATELIMIT_STORAGE_URI``) is never touched: each
test that injects a fault gets ``redis-server`` on a free port, without persistence, and
it is stopped whatever the test does. Without ``redis-server`` these tests skip, except in
CI (``CI=true``), where they fail: ``.ci/run`` installs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.production.backends import IN_CI
from tests.servers import free_port, stop, wait_until_serving

REDIS_SERVER = shutil.which("redis-server")
START_TIMEOUT = 10.0


class FaultyRedis:
    """``redis-server`` on 127.0.0.1:``port``, which the test can stop, freeze (SIGSTOP),
    thaw (SIGCONT) and start again on the same port."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.frozen = False

    @property
    def uri(self) -> str:
        """The storage URI of this server's database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (empty: it keeps nothing on disk) and wait until it answers."""
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until_serving(
            self.answers,
            [self.process],
            lambda: "(its output is not kept)",
            START_TIMEOUT,
            interval=0.05,
        )

    def stop(self) -> None:
        """Stop the server; what it counted is gone, as after a crash without persistence."""
        if self.process is None:
            return
        if self.frozen:
            self.thaw()
        stop(self.process)
        self.process = None

    def freeze(self) -> None:
        """SIGSTOP: connections are still accepted by the kernel, nothing is answered."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        """SIGCONT: the server answers again, with everything it held."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def answers(self) -> bool:
        """Whether a PING is answered within a second."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.settimeout(1)
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextlib.contextmanager
def running_redis(workdir: Path) -> Iterator[FaultyRedis]:
    """A running Redis of the caller's own, stopped at the end whatever happened (for a
    test module's fixture; see the module)."""
    if REDIS_SERVER is None:
        message = "redis-server is missing: apt-get install redis-server"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    server = FaultyRedis(REDIS_SERVER, workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()

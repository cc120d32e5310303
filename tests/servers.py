"""Servers the tests start as subprocesses (gunicorn, ``forumapp run``, waitress, redis):
a port to give them, waiting until they serve, and stopping them."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(
    answer: Callable[[], T | None],
    processes: Sequence[subprocess.Popen[bytes]],
    output: Callable[[], str],
    timeout: float,
    *,
    interval: float = 0.2,
    errors: tuple[type[Exception], ...] = (OSError,),
) -> T:
    """Call ``answer`` until it returns something true, and return that.

    ``answer`` raising one of ``errors`` counts as "not yet" (the port is not open yet).
    Fails with ``output()`` as soon as one of ``processes`` has exited (so a server that
    cannot start fails at once, not after ``timeout``) or once ``timeout`` seconds passed.
    """
    deadline = time.monotonic() + timeout
    while True:
        for process in processes:
            code = process.poll()
            assert code is None, f"{process.args!r} exited early ({code}):\n{output()}"
        try:
            result = answer()
        except errors:
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, f"no answer in {timeout} s:\n{output()}"
        time.sleep(interval)


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM (a gunicorn master stops its workers), then SIGKILL if ``process`` has not
    exited within ``timeout`` seconds; returns once it is gone."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def environment_with(settings: Mapping[str, object]) -> dict[str, str]:
    """This process's environment without its forumapp or Flask settings, plus ``settings``
    as ``FORUMAPP_<KEY>`` variables: a server started with it sees only what its test set,
    whatever the suite was run with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORUMAPP_", "FLASK_"))}
    env.update({f"FORUMAPP_{key}": str(value) for key, value in settings.items()})
    return env

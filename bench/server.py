"""A gunicorn server on 127.0.0.1 for the length of a ``with`` block, and its workers' RSS."""

from __future__ import annotations

import http.client
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
WORKERS = 2
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Server:
    """A running gunicorn master."""

    pid: int
    port: int
    log: Path

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def worker_pids(self) -> list[int]:
        """The master's children (the workers)."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text(encoding="ascii")
            except OSError:
                continue  # it ended meanwhile
            if f"\nPPid:\t{self.pid}\n" in status:
                children.append(int(entry.name))
        return sorted(children)

    def worker_memory_kib(self, field: str = "VmRSS") -> dict[int, int]:
        """``field`` (``VmRSS`` or the peak, ``VmHWM``) of every worker, in KiB."""
        memory = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith(f"{field}:"):
                    memory[pid] = int(line.split()[1])
        return memory


def ensure_gunicorn(*, install: bool) -> None:
    """Make sure gunicorn is importable here, installing it with pip when allowed."""
    if importlib.util.find_spec("gunicorn") is not None:
        return
    if not install:
        raise RuntimeError(f"gunicorn is missing: {sys.executable} -m pip install gunicorn")
    print("gunicorn is missing: pip install gunicorn ...")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "gunicorn"], check=True, timeout=600
    )
    importlib.invalidate_caches()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def http_request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to the local server: status, headers, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


@contextmanager
def gunicorn(
    app: str,
    env: Mapping[str, str],
    log: Path,
    *,
    ready_path: str = "/",
    pythonpath: Path | None = None,
) -> Iterator[Server]:
    """Serve ``app`` (gunicorn's ``module:variable`` notation) with 2 sync workers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    if pythonpath is not None:
        command += ["--pythonpath", str(pythonpath)]
    command.append(app)
    with log.open("ab") as output:
        output.write(f"\n$ {' '.join(command)}\n".encode())
        output.flush()
        process = subprocess.Popen(  # noqa: S603
            command,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped as one below
        )
    server = Server(process.pid, port, log)
    try:
        _wait_until_ready(process, server, ready_path)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {server.log}")
        try:
            status, _, _ = http_request(server.port, path, timeout=2.0)
        except OSError:
            status = 0
        if status == 200 and len(server.worker_pids()) == WORKERS:
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {path} within {START_TIMEOUT_SECONDS:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the master (a graceful stop), SIGKILL to its process group if it hangs."""
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
    # Workers outliving their master are still in its process group (its id is the pid).
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_SECONDS)

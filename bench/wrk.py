"""Running wrk and reading its ``--latency`` report."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: wrk's latency units, in milliseconds.
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"
_PERCENTILE = re.compile(rf"^\s+(50|75|90|99)(?:\.0+)?%\s+{_DURATION}\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s+(\d+) requests in ([\d.]+)(\w+),", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_SOCKET_KINDS = ("connect", "read", "write", "timeout")
_CHECK = re.compile(r"^bench-check: (\d+) (\d+)$", re.MULTILINE)


class WrkMissing(RuntimeError):
    """wrk is not installed and could not be installed."""


@dataclass(frozen=True)
class Load:
    """How hard to push: wrk's ``-t``, ``-c`` and ``-d``."""

    threads: int = 1
    connections: int = 8
    seconds: float = 10.0


@dataclass(frozen=True)
class WrkResult:
    """One wrk run."""

    requests_per_second: float
    requests: int
    #: Latency percentiles in milliseconds, keyed "50", "75", "90", "99".
    latency_ms: dict[str, float]
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    #: With a checking script: responses that had, and did not have, the expected text.
    expected: int | None = None
    unexpected: int | None = None

    @property
    def p50_ms(self) -> float:
        return self.latency_ms["50"]

    @property
    def p99_ms(self) -> float:
        return self.latency_ms["99"]

    @property
    def problems(self) -> list[str]:
        """What makes the numbers suspect: failed responses and socket errors."""
        found = []
        if not self.requests:
            found.append("no request completed")
        if self.non_2xx_3xx:
            found.append(f"{self.non_2xx_3xx} non-2xx/3xx")
        if self.unexpected:
            found.append(f"{self.unexpected} of {self.requests} answers not the expected page")
        errors = {kind: count for kind, count in self.socket_errors.items() if count}
        if errors:
            found.append(
                "socket errors " + ", ".join(f"{kind} {count}" for kind, count in errors.items())
            )
        return found


def find_wrk(*, install: bool) -> str:
    """The path of wrk, installed with apt-get first when allowed and missing."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if install and apt:
        print("wrk is missing: apt-get install -y wrk ...")
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        for command in ([apt, "update"], [apt, "install", "-y", "wrk"]):
            subprocess.run(command, env=env, check=False, timeout=600, capture_output=True)  # noqa: S603
        found = shutil.which("wrk")
        if found:
            return found
    raise WrkMissing(
        "wrk is not installed. Install it with `apt-get install -y wrk` (Debian/Ubuntu) "
        "or run without --no-install to let the harness try."
    )


def run_wrk(wrk: str, url: str, load: Load, script: Path | None = None) -> WrkResult:
    """Load ``url`` for ``load.seconds``; raises if wrk fails or prints nothing usable."""
    command = [
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.seconds:g}s",
        "--timeout",
        "5s",
        "--latency",
    ]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, timeout=load.seconds + 60
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, the latency distribution and the errors from wrk's output."""
    rate = _RATE.search(output)
    total = _TOTAL.search(output)
    percentiles = {
        match[0]: float(match[1]) * _UNITS_MS[match[2]] for match in _PERCENTILE.findall(output)
    }
    if rate is None or total is None or not {"50", "99"} <= percentiles.keys():
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket = _SOCKET.search(output)
    check = _CHECK.search(output)
    return WrkResult(
        requests_per_second=float(rate[1]),
        requests=int(total[1]),
        latency_ms=percentiles,
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=(
            dict(zip(_SOCKET_KINDS, map(int, socket.groups()), strict=True)) if socket else {}
        ),
        expected=int(check[1]) if check else None,
        unexpected=int(check[2]) if check else None,
    )


def lua_literal(text: str) -> str:
    """``text`` as a Lua long-bracket string literal."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


#: Counts answers with and without the expected text in every thread, sums them at the end.
_CHECKING = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) expected = 0; unexpected = 0 end
function response(status, headers, body)
  if status == 200 and body and string.find(body, EXPECTED, 1, true) then
    expected = expected + 1
  else
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local good, bad = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("expected")
    bad = bad + thread:get("unexpected")
  end
  io.write(string.format("bench-check: %d %d\\n", good, bad))
end
"""


def post_script(
    body: str, headers: dict[str, str], expect: str, directory: Path | None = None
) -> Path:
    """A wrk script sending every request as a POST of ``body`` with ``headers``, and
    counting the answers that are not a 200 containing ``expect``."""
    lines = [
        'wrk.method = "POST"',
        f"wrk.body = {lua_literal(body)}",
        f"EXPECTED = {lua_literal(expect)}",
    ]
    # The spaces keep "[" + "[[" from reading as a long bracket.
    lines += [f"wrk.headers[ {lua_literal(k)} ] = {lua_literal(v)}" for k, v in headers.items()]
    with tempfile.NamedTemporaryFile(
        "w", suffix=".lua", prefix="bench-post-", dir=directory, delete=False, encoding="utf-8"
    ) as handle:
        handle.write("\n".join(lines) + _CHECKING)
    return Path(handle.name)

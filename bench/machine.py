"""The machine under the benchmark: what it is, and whether something else keeps it busy.

A load test on a 2-core machine is only meaningful while nothing else runs. During each
page's load the CPU time of the whole machine (``/proc/stat``) is compared with that of
the benchmark's own processes (the gunicorn master and workers, wrk, this harness, and the
PostgreSQL server when the shape is served from one): the difference is someone else's,
recorded with the page, and flagged above a limit.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Share of all CPU time used by others above which a measurement is flagged.
BUSY_LIMIT = 0.10
SAMPLE_SECONDS = 0.5


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # without guest time, which is counted in user already
    return total - idle, total


def cpu_busy(seconds: float = SAMPLE_SECONDS) -> float:
    """Share of the machine's CPU time spent busy over the next ``seconds``."""
    busy_before, total_before = _cpu_times()
    time.sleep(seconds)
    busy_after, total_after = _cpu_times()
    elapsed = total_after - total_before
    return (busy_after - busy_before) / elapsed if elapsed else 0.0


@dataclass(frozen=True)
class CpuSnapshot:
    """Clock ticks: the machine's busy and total time, and the benchmark's own."""

    busy: int
    total: int
    ours: int


def _process_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0  # it ended meanwhile
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def _rusage_ticks(who: int) -> int:
    usage = resource.getrusage(who)
    return round((usage.ru_utime + usage.ru_stime) * os.sysconf("SC_CLK_TCK"))


def snapshot(pids: Iterable[int]) -> CpuSnapshot:
    """CPU time so far; ``pids`` are the servers' processes (wrk is a waited-for child)."""
    busy, total = _cpu_times()
    ours = sum(_process_ticks(pid) for pid in pids)
    ours += _rusage_ticks(resource.RUSAGE_CHILDREN) + _rusage_ticks(resource.RUSAGE_SELF)
    return CpuSnapshot(busy, total, ours)


def processes_named(name: str) -> list[int]:
    """The processes whose command name is ``name`` (such as every PostgreSQL process)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text(encoding="utf-8").strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue  # it ended meanwhile
    return found


def wait_until_idle(pids: Iterable[int], limit_seconds: float = 10.0) -> None:
    """Wait until ``pids`` stop using CPU (the requests still in flight when wrk stopped)."""
    pids = list(pids)
    deadline = time.monotonic() + limit_seconds
    ticks = sum(_process_ticks(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = sum(_process_ticks(pid) for pid in pids)
        if now == ticks:
            return
        ticks = now


def others_share(before: CpuSnapshot, after: CpuSnapshot) -> float:
    """Share of all CPU time between two snapshots that other processes used."""
    total = after.total - before.total
    others = (after.busy - before.busy) - (after.ours - before.ours)
    return max(0.0, others / total) if total else 0.0


def wait_until_quiet(limit_seconds: float) -> float:
    """Wait (at most ``limit_seconds``) for the machine to be idle; returns the last sample."""
    deadline = time.monotonic() + limit_seconds
    busy = cpu_busy()
    while busy > BUSY_LIMIT and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    return busy


def describe() -> dict[str, object]:
    """CPU model, core count, Python, load averages."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_average": list(os.getloadavg()),
    }

"""The results of a run: the table, the targets of issue 7, the JSON file, comparisons."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from machine import BUSY_LIMIT
from wrk import WrkResult

#: The issue's targets.
FLOOR_SHARE = 0.10
SEARCH_P50_MS = 50.0
WORKER_RSS_MB = 80.0
LONG_TOPIC_RATIO = 1.5
#: The bare-Flask rows: the floor, not forumapp.
FLOOR_KEYS = frozenset({"hello", "template"})
#: Typography of the table, spelled as escapes (ruff flags the look-alike characters).
DASH = "\u2013"
TIMES = "\u00d7"


@dataclass(frozen=True)
class Page:
    """A measured URL and what issue 7 says about it."""

    key: str
    label: str
    #: FlaskBB's figures on the reference shape (issue 7).
    flaskbb_rps: float | None = None
    flaskbb_p50_ms: float | None = None
    flaskbb_queries: int | None = None
    #: Requests/s the issue asks for (ten times FlaskBB's), and the hello-world share.
    target_rps: float | None = None


@dataclass
class Row:
    """One page's measurement."""

    page: Page
    method: str
    path: str
    wrk: WrkResult
    sql_queries: int | None = None
    #: Largest worker VmRSS right after this page's load, in MB (10^6 bytes).
    worker_rss_mb: float | None = None
    #: Share of the machine's CPU time other processes used during the load.
    others_cpu: float = 0.0
    note: str = ""
    #: Anything else that makes the numbers suspect.
    problems: list[str] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        busy = [f"machine busy: others used {self.others_cpu:.0%} CPU"]
        return self.wrk.problems + self.problems + (busy if self.others_cpu > BUSY_LIMIT else [])


@dataclass(frozen=True)
class Verdict:
    """One target: what was asked, what was measured, met or not."""

    target: str
    measured: str
    met: bool
    #: A row it rests on was flagged (failed requests, a busy machine): re-run to be sure.
    suspect: bool = False


@dataclass
class Run:
    """Everything a run measured, and where."""

    meta: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    worker_peak_rss_mb: float | None = None

    def row(self, key: str) -> Row | None:
        return next((row for row in self.rows if row.page.key == key), None)

    @property
    def hello_rps(self) -> float | None:
        hello = self.row("hello")
        return hello.wrk.requests_per_second if hello else None


def mb(kib: int) -> float:
    """KiB (as /proc reports them) in MB."""
    return kib * 1024 / 1_000_000


def _ms(value: float) -> str:
    return (
        f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    )


def table(run: Run) -> str:
    """The results as a Markdown table."""
    hello = run.hello_rps
    header = (
        "| page | req/s | p50 | p99 | SQL queries | worker RSS | % of hello world "
        f"| FlaskBB req/s | {TIMES} FlaskBB |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    notes: list[str] = []
    for row in run.rows:
        rps = row.wrk.requests_per_second
        share = f"{100 * rps / hello:.0f} %" if hello and row.page.key != "hello" else DASH
        flaskbb = row.page.flaskbb_rps
        label = row.page.label + (f" ({row.note})" if row.note else "")
        if row.flags:
            notes.append(f"⚠{len(notes) + 1} {row.page.label}: {'; '.join(row.flags)}")
            label += f" ⚠{len(notes)}"
        cells = [
            label,
            f"{rps:,.0f}",
            _ms(row.wrk.p50_ms),
            _ms(row.wrk.p99_ms),
            str(row.sql_queries) if row.sql_queries is not None else DASH,
            f"{row.worker_rss_mb:.0f} MB" if row.worker_rss_mb is not None else DASH,
            share,
            f"{flaskbb:,.0f}" if flaskbb else DASH,
            f"{rps / flaskbb:.1f}{TIMES}" if flaskbb else DASH,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines + (["", *notes] if notes else []))


def verdicts(run: Run) -> list[Verdict]:
    """Issue 7's targets against this run."""
    found: list[Verdict] = []
    hello = run.hello_rps
    hello_row = run.row("hello")
    floor_flagged = bool(hello_row and hello_row.flags)
    for row in run.rows:
        rps = row.wrk.requests_per_second
        if row.page.target_rps is not None:
            found.append(
                Verdict(
                    f"{row.page.label}: ≥ {row.page.target_rps:,.0f} req/s (10{TIMES} FlaskBB)",
                    f"{rps:,.0f} req/s",
                    rps >= row.page.target_rps,
                    bool(row.flags),
                )
            )
            if hello:
                found.append(
                    Verdict(
                        f"{row.page.label}: ≥ {FLOOR_SHARE:.0%} of hello world ({hello:,.0f})",
                        f"{rps / hello:.1%}",
                        rps >= FLOOR_SHARE * hello,
                        bool(row.flags) or floor_flagged,
                    )
                )
    search = run.row("search")
    if search:
        found.append(
            Verdict(
                f"search p50 ≤ {SEARCH_P50_MS:.0f} ms",
                _ms(search.wrk.p50_ms),
                search.wrk.p50_ms <= SEARCH_P50_MS,
                bool(search.flags),
            )
        )
    if run.worker_peak_rss_mb is not None:
        after = max(
            (row.worker_rss_mb or 0.0) for row in run.rows if row.page.key not in FLOOR_KEYS
        )
        found.append(
            Verdict(
                f"worker RSS ≤ {WORKER_RSS_MB:.0f} MB",
                f"{after:.0f} MB after the loads (peak VmHWM {run.worker_peak_rss_mb:.0f} MB)",
                after <= WORKER_RSS_MB,
            )
        )
    short = run.row("short_topic")
    if short:
        for key in ("topic_first", "topic_last"):
            long = run.row(key)
            if long is None:
                continue
            ratio = short.wrk.requests_per_second / long.wrk.requests_per_second
            found.append(
                Verdict(
                    f"{long.page.label} within {LONG_TOPIC_RATIO}{TIMES} of a one-page topic",
                    f"{ratio:.2f}{TIMES} (p50 {_ms(long.wrk.p50_ms)} vs {_ms(short.wrk.p50_ms)})",
                    ratio <= LONG_TOPIC_RATIO,
                    bool(long.flags or short.flags),
                )
            )
    return found


def verdict_lines(found: list[Verdict]) -> str:
    return "\n".join(
        f"  {'✓' if verdict.met else '✗'} {verdict.target}: {verdict.measured}"
        + (" (suspect: its row is flagged ⚠)" if verdict.suspect else "")
        for verdict in found
    )


def to_json(run: Run) -> dict[str, Any]:
    """The run as plain data (the results file)."""
    return {
        "meta": run.meta,
        "worker_peak_rss_mb": run.worker_peak_rss_mb,
        "results": [
            {
                "key": row.page.key,
                "label": row.page.label,
                "method": row.method,
                "path": row.path,
                "note": row.note,
                "requests_per_second": row.wrk.requests_per_second,
                "requests": row.wrk.requests,
                "latency_ms": row.wrk.latency_ms,
                "non_2xx_3xx": row.wrk.non_2xx_3xx,
                "socket_errors": row.wrk.socket_errors,
                "checked_answers": (
                    None
                    if row.wrk.expected is None
                    else {"expected": row.wrk.expected, "unexpected": row.wrk.unexpected}
                ),
                "sql_queries": row.sql_queries,
                "worker_rss_mb": row.worker_rss_mb,
                "others_cpu_share": round(row.others_cpu, 3),
                "problems": row.flags,
                "share_of_hello": (
                    row.wrk.requests_per_second / run.hello_rps if run.hello_rps else None
                ),
                "flaskbb": {
                    "requests_per_second": row.page.flaskbb_rps,
                    "p50_ms": row.page.flaskbb_p50_ms,
                    "sql_queries": row.page.flaskbb_queries,
                },
                "target_rps": row.page.target_rps,
            }
            for row in run.rows
        ],
        "targets": [asdict(verdict) for verdict in verdicts(run)],
    }


def write_json(run: Run, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(run), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def comparison(current: dict[str, Any], earlier: dict[str, Any]) -> str:
    """req/s and p50 of two results files, page by page."""
    before = {result["key"]: result for result in earlier["results"]}
    meta = earlier["meta"]
    lines = [
        f"Compared with {meta.get('timestamp', '?')} "
        f"(scale {meta.get('scale', '?')}, commit {meta.get('commit', '?')}):",
        "| page | req/s then | req/s now | change | p50 then | p50 now |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for result in current["results"]:
        then = before.get(result["key"])
        if then is None:
            continue
        old, new = then["requests_per_second"], result["requests_per_second"]
        lines.append(
            f"| {result['label']} | {old:,.0f} | {new:,.0f} | {100 * (new / old - 1):+.0f} % "
            f"| {_ms(then['latency_ms']['50'])} | {_ms(result['latency_ms']['50'])} |"
        )
    return "\n".join(lines)

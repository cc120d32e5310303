"""forumapp's benchmark (issue 7): one command, a table, a JSON file.

    .venv/bin/python bench/run.py [--scale default|tiny|small|large] [--duration 10]
                                  [--connections 8] [--threads 1] [--compare FILE]

1. builds (or reuses) the database of the shape (bench/shape.py);
2. serves forumapp with gunicorn, 2 sync workers, on 127.0.0.1, rate limits off,
   10 topics and 10 posts per page; and bare Flask apps with the same settings;
3. loads each page with wrk (1 thread, 8 connections, 10 s, after a short warm-up);
4. prints req/s, p50, p99, SQL queries per request (counted in-process through the test
   client), worker RSS and the share of the hello-world floor; checks issue 7's targets;
   writes bench/results/<timestamp>-<scale>.json.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from urllib.parse import quote_plus, urlencode

from inprocess import (
    LOGIN_FAILED_TEXT,
    WRONG_PASSWORD,
    Request,
    Subjects,
    count_queries,
    csrf_token_in,
    database_description,
    find_subjects,
    forumapp_app,
)
from machine import (
    BUSY_LIMIT,
    describe,
    others_share,
    processes_named,
    snapshot,
    wait_until_idle,
    wait_until_quiet,
)
from report import Page, Row, Run, mb, table, verdict_lines, verdicts, write_json
from report import comparison as compare_runs
from server import WORKERS, Server, ensure_gunicorn, gunicorn, http_request
from shape import (
    BENCH_DIR,
    DATA_DIR,
    POSTS_PER_PAGE,
    SCALES,
    TOPICS_PER_PAGE,
    ensure_shape,
    hidden,
    instance_dir,
    isolate_environment,
)
from wrk import Load, find_wrk, post_script, run_wrk

RESULTS_DIR = BENCH_DIR / "results"
FORUMAPP = "forumapp:create_app()"

LOGIN_POST_NOTE = (
    "a real failed login: each wrk request sends the session cookie and CSRF token of one "
    "login page fetched before the run (Flask-WTF tokens are reusable), a known username "
    "and a wrong password; every answer checked to be 200 with the login error, which "
    "forumapp gives after an Argon2id verification"
)


def pages(subjects: Subjects) -> list[Page]:
    """Every page of the run, with issue 7's FlaskBB figures and targets."""
    long_posts = f"{subjects.long_topic_posts:,}-post topic"
    return [
        Page("hello", "bare Flask hello world", 5_819, 1.3),
        Page("template", "bare Flask small template", 4_088, 1.9),
        Page("index", "index", 89, 86, 8, target_rps=890),
        Page("forum", "forum topic list, page 1", 70, 110, 22, target_rps=700),
        Page("forum_last", f"forum topic list, last page ({subjects.forum_pages})"),
        Page("topic_first", f"{long_posts}, page 1", 32, 255, 11, target_rps=320),
        Page(
            "topic_last",
            f"{long_posts}, last page ({subjects.long_topic_pages:,})",
            32,
            251,
            11,
            target_rps=320,
        ),
        Page("short_topic", f"{subjects.short_topic_posts}-post topic (one page)"),
        Page("search", f"search ?q={subjects.search_word}"),
        Page("login_get", "login GET", 625, 12.5, 0),
        Page("login_post", "failed login POST"),
    ]


def requests_for(subjects: Subjects) -> dict[str, Request]:
    """What each forumapp page requests."""
    found = {
        "index": Request("GET", "/"),
        "forum": Request("GET", f"/forum/{subjects.forum_id}"),
        "forum_last": Request("GET", f"/forum/{subjects.forum_id}?page={subjects.forum_pages}"),
        "topic_first": Request("GET", f"/topic/{subjects.long_topic_id}"),
        "topic_last": Request(
            "GET", f"/topic/{subjects.long_topic_id}?page={subjects.long_topic_pages}"
        ),
        "short_topic": Request("GET", f"/topic/{subjects.short_topic_id}"),
        "search": Request("GET", f"/search?q={quote_plus(subjects.search_word)}"),
        "login_get": Request("GET", "/auth/login"),
        "login_post": Request(
            "POST",
            "/auth/login",
            {"login": subjects.login_name, "password": WRONG_PASSWORD},
        ),
    }
    if subjects.short_topic_id is None:
        del found["short_topic"]
    return found


def login_post_script(server: Server, request: Request, directory: Path) -> Path:
    """A wrk script posting a failed login the way a browser does: cookie and CSRF token
    from the login page, checked once here to be answered with the login error."""
    status, headers, body = http_request(server.port, request.path)
    token = csrf_token_in(body)
    cookies = SimpleCookie(headers.get("Set-Cookie", ""))
    if status != 200 or token is None or not cookies:
        raise RuntimeError(f"GET {request.path}: {status}, no session cookie or CSRF token")
    post_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items()),
    }
    form = urlencode({**(request.form or {}), "csrf_token": token})
    status, _, answer = http_request(
        server.port, request.path, method="POST", body=form.encode(), headers=post_headers
    )
    if status != 200 or LOGIN_FAILED_TEXT not in answer:
        raise RuntimeError(
            f"the prepared login POST was answered {status} without the login error: "
            "it would not measure the login path"
        )
    return post_script(form, post_headers, LOGIN_FAILED_TEXT.decode(), directory)


@dataclass(frozen=True)
class Settings:
    """How each page is measured."""

    load: Load
    warmup: float
    #: Measurements repeated when other processes used the CPU meanwhile.
    retries: int
    quiet_wait: float
    #: Serving from PostgreSQL: its processes' CPU time is the benchmark's, not others'.
    database_server: bool = False


def measure(
    wrk: str,
    server: Server,
    page: Page,
    request: Request,
    settings: Settings,
    script: Path | None = None,
) -> Row:
    """Warm up, load one URL, read the workers' RSS once they are idle; measured again
    (after waiting for quiet) when other processes took CPU time meanwhile."""
    url = server.url(request.path)
    load = settings.load
    for attempt in range(settings.retries + 1):
        if attempt:
            print(f"  (busy machine: waiting and measuring {page.label} again)", flush=True)
            wait_until_quiet(settings.quiet_wait)
        if settings.warmup > 0:
            run_wrk(wrk, url, Load(load.threads, load.connections, settings.warmup), script)
        pids = [server.pid, *server.worker_pids()]
        if settings.database_server:
            pids += processes_named("postgres")
        before = snapshot(pids)
        result = run_wrk(wrk, url, load, script)
        others = others_share(before, snapshot(pids))
        # Requests wrk left in flight still run: RSS is read once the workers are idle.
        wait_until_idle(pids)
        if others <= BUSY_LIMIT:
            break
    rss = server.worker_memory_kib()
    row = Row(
        page,
        request.method,
        request.path,
        result,
        worker_rss_mb=mb(max(rss.values())) if rss else None,
        others_cpu=others,
    )
    _progress(row)
    return row


def _progress(row: Row) -> None:
    result = row.wrk
    flags = f"  ⚠ {'; '.join(row.flags)}" if row.flags else ""
    print(
        f"  {row.page.label:<42} {result.requests_per_second:>9,.0f} req/s  "
        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms{flags}",
        flush=True,
    )


def measure_floors(wrk: str, settings: Settings, log: Path, by_key: dict[str, Page]) -> list[Row]:
    """The bare Flask apps, one gunicorn at a time."""
    rows = []
    for key in ("hello", "template"):
        with gunicorn(f"hello_app:{key}", os.environ, log, pythonpath=BENCH_DIR) as server:
            rows.append(measure(wrk, server, by_key[key], Request("GET", "/"), settings))
    return rows


def measure_forumapp(
    wrk: str,
    settings: Settings,
    log: Path,
    pages: dict[str, Page],
    requests: dict[str, Request],
) -> tuple[list[Row], float | None]:
    """Every forumapp page on one gunicorn; returns the rows and the workers' peak RSS."""
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="forumapp-bench-") as scratch,
        gunicorn(FORUMAPP, os.environ, log) as server,
    ):
        for key, request in requests.items():
            script = None
            if key == "login_post":
                script = login_post_script(server, request, Path(scratch))
            row = measure(wrk, server, pages[key], request, settings, script)
            if key == "login_post":
                row.note = "CSRF on"
            rows.append(row)
        peak = server.worker_memory_kib("VmHWM")
    return rows, mb(max(peak.values())) if peak else None


def commit() -> str:
    """The checked-out commit, with ``-dirty`` when the tree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True, text=True, check=True, timeout=10, cwd=BENCH_DIR,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True, text=True, check=True, timeout=10, cwd=BENCH_DIR,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark forumapp under gunicorn with wrk (issue 7).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--scale",
        choices=SCALES,
        default="default",
        help="default: FlaskBB's shape (2,000 posts); tiny/small/large: `forumapp demo`'s",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo content seed")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t")
    parser.add_argument(
        "--pages", help="comma-separated page keys to measure (default: all); floors always run"
    )
    parser.add_argument("--search-word", help="the word to search for (default: most common)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database")
    parser.add_argument(
        "--database-url",
        help="an empty PostgreSQL database to build the shape in and serve it from "
        "(default: SQLite in the shape's instance folder)",
    )
    parser.add_argument("--no-install", action="store_true", help="never install wrk or gunicorn")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=60.0,
        help="seconds to wait at most for other processes to leave the CPU idle",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="times a page is measured again when other processes used the CPU meanwhile",
    )
    parser.add_argument("--compare", type=Path, help="an earlier results file to compare with")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def _stop_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # Turn SIGTERM into SystemExit so the servers' finally blocks stop them.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    load = Load(args.threads, args.connections, args.duration)
    wrk = find_wrk(install=not args.no_install)
    ensure_gunicorn(install=not args.no_install)
    instance = instance_dir(args.scale, args.seed, args.database_url)
    dropped = isolate_environment(instance, args.database_url)
    if dropped:
        print("Ignoring the shell's", ", ".join(dropped), "(the benchmark sets its own).")
    shape = ensure_shape(
        args.scale, args.seed, rebuild=args.rebuild, database_url=args.database_url
    )

    app = forumapp_app()
    subjects = find_subjects(app, TOPICS_PER_PAGE, POSTS_PER_PAGE, args.search_word)
    requests = requests_for(subjects)
    if args.pages:
        wanted = {key.strip() for key in args.pages.split(",")}
        requests = {key: request for key, request in requests.items() if key in wanted}
    print(f"Counting SQL queries per request in-process ({len(requests)} pages) ...")
    queries = count_queries(app, requests)
    for key, count in queries.items():
        if count.status != 200:
            request = requests[key]
            raise RuntimeError(f"{request.method} {request.path} answered {count.status}")

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log = DATA_DIR / "logs" / f"{stamp}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    by_key = {page.key: page for page in pages(subjects)}
    print(
        f"Loading with wrk -t{load.threads} -c{load.connections} -d{load.seconds:g}s "
        f"(after {args.warmup:g} s warm-up), gunicorn {WORKERS} sync workers:"
    )
    busy = wait_until_quiet(args.wait_quiet)
    if busy > BUSY_LIMIT:
        print(f"⚠ Other processes keep {busy:.0%} of the CPU busy: numbers will be low.")
    started = time.monotonic()
    settings = Settings(
        load, args.warmup, args.retries, args.wait_quiet, database_server=bool(args.database_url)
    )
    rows = measure_floors(wrk, settings, log, by_key)
    forum_rows, peak = measure_forumapp(wrk, settings, log, by_key, requests)
    for row in forum_rows:
        row.sql_queries = queries[row.page.key].queries
    rows += forum_rows

    run = Run(
        meta={
            "timestamp": stamp,
            "command": " ".join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
            "scale": shape.scale,
            "seed": shape.seed,
            "commit": commit(),
            "shape": shape.info,
            "subjects": asdict(subjects),
            "page_sizes": {"topics": TOPICS_PER_PAGE, "posts": POSTS_PER_PAGE},
            "load": asdict(load) | {"warmup_seconds": args.warmup, "tool": "wrk"},
            "server": {"gunicorn": version("gunicorn"), "workers": WORKERS, "worker": "sync"},
            "versions": {name: version(name) for name in ("flask", "sqlalchemy", "jinja2")},
            "machine": describe(),
            "database": database_description(app),
            "settings": {
                k: hidden(v) if k == "FORUMAPP_SQLALCHEMY_DATABASE_URI" else v
                for k, v in os.environ.items()
                if k.startswith("FORUMAPP_")
            },
            "login_post": LOGIN_POST_NOTE,
            "sql_queries": "warm request through the test client (the first one in brackets)",
            "first_request_queries": {k: v.first_queries for k, v in queries.items()},
            "seconds": round(time.monotonic() - started, 1),
        },
        rows=rows,
        worker_peak_rss_mb=peak,
    )
    _print_report(run, args, subjects)
    path = args.results_dir / f"{stamp}-{shape.scale}.json"
    write_json(run, path)
    print(f"\nResults: {path}")
    if args.compare:
        current = json.loads(path.read_text(encoding="utf-8"))
        earlier = json.loads(args.compare.read_text(encoding="utf-8"))
        print("\n" + compare_runs(current, earlier))
    return 0


def _print_report(run: Run, args: argparse.Namespace, subjects: Subjects) -> None:
    totals = subjects.totals
    print(
        f"\nforumapp, scale {args.scale} (seed {args.seed}): {totals['users']:,} users, "
        f"{totals['forums']} forums, {totals['topics']:,} topics, {totals['posts']:,} posts; "
        f"{TOPICS_PER_PAGE} topics and {POSTS_PER_PAGE} posts per page; "
        f"commit {run.meta['commit']}\n"
    )
    print(table(run))
    print(f"\nFailed login POST: {LOGIN_POST_NOTE}.")
    if any(row.flags for row in run.rows):
        print("⚠ Rows marked ⚠ are suspect: see their notes.")
    print("\nIssue 7's targets:")
    print(verdict_lines(verdicts(run)))


if __name__ == "__main__":
    sys.exit(main())

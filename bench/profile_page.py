"""Profile forumapp pages in-process, on a benchmark database, with cProfile.

    .venv/bin/python bench/profile_page.py [--scale default] [--requests 300] PATH [PATH ...]

Each PATH (``/``, ``/topic/4?page=100``, ...) is requested through Flask's test client
with the benchmark's settings (same instance folder, page sizes, no rate limits): a few
unmeasured requests first, then ``--requests`` under cProfile. Prints the time per
request, SQL statements and time per request, and the functions that cost the most.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Sequence

from flask import Flask
from inprocess import forumapp_app
from shape import MARKER, SCALES, instance_dir, isolate_environment
from sqlalchemy import event

from forumapp.extensions import db

WARMUP_REQUESTS = 20


def by_package(stats: pstats.Stats, requests: int) -> str:
    """Own time (tottime) per request, summed by the package its code belongs to."""
    totals: dict[str, float] = {}
    for (filename, _, _), entry in stats.stats.items():  # type: ignore[attr-defined]
        totals[_package(filename)] = totals.get(_package(filename), 0.0) + entry[2]
    whole = sum(totals.values()) or 1.0
    return "\n".join(
        f"  {name:<28} {1000 * seconds / requests:7.2f} ms  {seconds / whole:5.1%}"
        for name, seconds in sorted(totals.items(), key=lambda item: -item[1])
    )


def _package(filename: str) -> str:
    if filename.endswith(".html") or "templates" in filename:
        return "templates (Jinja code)"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/forumapp/" in filename:
        return "forumapp." + filename.split("/forumapp/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if filename == "~":
        return "builtins (C functions)"
    return "python stdlib"


def profile(app: Flask, path: str, requests: int, sort: str, limit: int) -> str:
    """The report of one path."""
    client = app.test_client()
    for _ in range(WARMUP_REQUESTS):
        status = client.get(path).status_code
        if status != 200:
            return f"{path}: answered {status}"
    with app.app_context():
        engine = db.engine
    sql = {"statements": 0, "seconds": 0.0}
    started: list[float] = []

    def before(*_args: object) -> None:
        started.append(time.perf_counter())

    def after(*_args: object) -> None:
        sql["statements"] += 1
        sql["seconds"] += time.perf_counter() - started.pop()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    begin = time.perf_counter()
    try:
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    wall = (time.perf_counter() - begin) / requests
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    packages = by_package(stats, requests)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    return (
        f"{path}: {1000 * wall:.2f} ms per request under cProfile, "
        f"{sql['statements'] / requests:.1f} SQL statements taking "
        f"{1000 * sql['seconds'] / requests:.2f} ms (cursor execute only)\n"
        f"Own time by package, per request:\n{packages}\n{stream.getvalue()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--scale", choices=SCALES, default="default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (or tottime)")
    parser.add_argument("--limit", type=int, default=40, help="functions to show")
    args = parser.parse_args(argv)
    instance = instance_dir(args.scale, args.seed)
    if not (instance / MARKER).exists():
        parser.error(f"no {args.scale} database yet: run bench/run.py --scale {args.scale}")
    isolate_environment(instance)
    app = forumapp_app()
    for path in args.paths:
        print(profile(app, path, args.requests, args.sort, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())

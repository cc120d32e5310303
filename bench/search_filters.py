"""The cost of a search page under every kind of filter, on a benchmark database.

Builds (or reuses) a shape as ``bench/run.py`` does, picks a common and a rare word, the
busiest forum, the most prolific member and days at the start, middle and end of the
forum's history, then requests ``/search`` through the test client with each filter
combination and prints, per combination:

- SQLite: thousands of VM steps of the page's queries (a progress handler: independent of
  the machine's load), the median time, and with ``--plans`` the query plan of the
  statement that ranks the matches (``EXPLAIN QUERY PLAN``);
- PostgreSQL: shared buffers the ranking statement touched (``EXPLAIN (ANALYZE,
  BUFFERS)``, as independent of the load as VM steps), the median time, and with
  ``--plans`` its plan.

    .venv/bin/python bench/search_filters.py --scale large
    .venv/bin/python bench/search_filters.py --scale large --plans --only topics,to_far_past
    .venv/bin/python bench/search_filters.py --scale large \
        --database-url postgresql+psycopg://forumapp:forumapp@127.0.0.1:5433/search2_bench
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from inprocess import _common_word, forumapp_app
from shape import SCALES, ensure_shape, instance_dir, isolate_environment
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Connection, Engine

from forumapp.extensions import db
from forumapp.forum.models import Post, Topic
from forumapp.users.models import User

#: A rare word is in about this many posts (the nearest one found).
RARE_DOCUMENTS = 300
TIMED_REQUESTS = 5
_RESULTS = re.compile(r'<h2 id="results-title">\s*(.*?)</h2>', re.S)
#: The statement that ranks matches is the one with the window functions.
_RANKING = "OVER ()"


@dataclass(frozen=True)
class Subjects:
    """What the combinations search for and with."""

    common: str
    rare: str
    forum_id: int
    author: str
    first_day: date
    middle_day: date
    last_day: date


def main() -> None:
    """Parse the arguments, build or reuse the shape and measure each combination."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--plans", action="store_true", help="print each ranking plan")
    parser.add_argument("--only", help="comma-separated combination names")
    arguments = parser.parse_args()
    # Isolated first: the build runs `forumapp demo` in this environment, which must name
    # the shape's instance folder and database, not the shell's (or the venv's default).
    isolate_environment(
        instance_dir(arguments.scale, arguments.seed, arguments.database_url),
        arguments.database_url,
    )
    shape = ensure_shape(
        arguments.scale, arguments.seed, rebuild=False, database_url=arguments.database_url
    )
    app = forumapp_app()
    subjects = find_subjects(app)
    print(f"# {shape.scale} seed {shape.seed}: {subjects}")
    wanted = set(arguments.only.split(",")) if arguments.only else None
    with app.app_context():
        engine = db.engine
        measure = _SqliteMeter(engine) if engine.dialect.name == "sqlite" else _PostgresMeter()
        client = app.test_client()
        print(f"| combination | {measure.unit} | ms (median) | results |")
        print("|---|---:|---:|---|")
        for name, arguments_ in combinations(subjects).items():
            if wanted is not None and name not in wanted:
                continue
            path = "/search?" + urlencode(arguments_)
            row = _measure(client, engine, measure, path)
            print(f"| {name} | {row.work} | {row.ms:.1f} | {row.heading} |", flush=True)
            if arguments.plans:
                print("\n".join(f"    {line}" for line in row.plan))


def find_subjects(app: Flask) -> Subjects:
    """The words, forum, member and days the combinations use."""
    with app.app_context():
        session = db.session
        connection = session.connection()
        common = _common_word()
        rare = _rare_word(connection, common)
        forum_id = session.scalar(
            select(Topic.forum_id)
            .group_by(Topic.forum_id)
            .order_by(func.sum(Topic.post_number_seq).desc())
            .limit(1)
        )
        author = session.scalar(
            select(User.username).order_by(User.post_count.desc(), User.id).limit(1)
        )
        first, last = session.execute(
            select(func.min(Post.created_at), func.max(Post.created_at))
        ).one()
    assert forum_id is not None
    assert author is not None
    assert first is not None
    middle = first + (last - first) / 2
    return Subjects(common, rare, forum_id, author, first.date(), middle.date(), last.date())


def _rare_word(connection: Connection, common: str) -> str:
    """A word of 5+ letters in about ``RARE_DOCUMENTS`` posts."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocabulary "
            "USING fts5vocab(main, posts_fts, 'row')"
        )
        statement = (
            "SELECT term FROM temp.bench_vocabulary WHERE length(term) >= 5 "
            "AND term GLOB '[a-z]*' ORDER BY abs(doc - :documents), term LIMIT 1"
        )
    else:
        statement = (
            "SELECT word FROM ts_stat('SELECT search_vector FROM posts WHERE id % 10 = 0') "
            "WHERE length(word) >= 5 AND word ~ '^[a-z]+$' "
            "ORDER BY abs(ndoc * 10 - :documents), word LIMIT 1"
        )
    word = connection.execute(text(statement), {"documents": RARE_DOCUMENTS}).scalar()
    return str(word or common)


def combinations(s: Subjects) -> dict[str, dict[str, str]]:
    """Each filter combination's search form, by name."""
    early = (s.first_day + timedelta(days=7)).isoformat()
    middle = s.middle_day.isoformat()
    week_end = (s.middle_day + timedelta(days=6)).isoformat()
    recent = (s.last_day - timedelta(days=30)).isoformat()
    start, end = s.first_day.isoformat(), s.last_day.isoformat()
    by_date = {"sort": "date"}
    return {
        "plain": {"q": s.common},
        "plain_by_date": {"q": s.common, **by_date},
        "rare": {"q": s.rare},
        "forum": {"q": s.common, "forum": str(s.forum_id)},
        "author": {"q": s.common, "author": s.author},
        "topics": {"q": s.common, "topics_only": "y"},
        "topics_by_date": {"q": s.common, "topics_only": "y", **by_date},
        "topics_rare": {"q": s.rare, "topics_only": "y"},
        "to_far_past": {"q": s.common, "date_to": early},
        "to_far_past_by_date": {"q": s.common, "date_to": early, **by_date},
        "to_far_past_rare": {"q": s.rare, "date_to": early},
        "to_middle": {"q": s.common, "date_to": middle},
        "from_recent": {"q": s.common, "date_from": recent},
        "from_middle_rare": {"q": s.rare, "date_from": middle},
        "one_day": {"q": s.common, "date_from": middle, "date_to": middle},
        "one_day_rare": {"q": s.rare, "date_from": middle, "date_to": middle},
        "one_week": {"q": s.common, "date_from": middle, "date_to": week_end},
        "whole_range_rare": {"q": s.rare, "date_from": start, "date_to": end},
        "topics_one_day": {
            "q": s.common, "topics_only": "y", "date_from": middle, "date_to": middle,
        },
        "topics_to_far_past": {"q": s.common, "topics_only": "y", "date_to": early},
        "author_one_week": {
            "q": s.common, "author": s.author, "date_from": middle, "date_to": week_end,
        },
        "forum_to_middle": {"q": s.common, "forum": str(s.forum_id), "date_to": middle},
        "all_filters": {
            "q": s.common, "forum": str(s.forum_id), "author": s.author, "topics_only": "y",
            "date_from": start, "date_to": middle,
        },
    }  # fmt: skip


@dataclass(frozen=True)
class _Row:
    work: str
    ms: float
    heading: str
    plan: list[str]


def _measure(client: FlaskClient, engine: Engine, meter: _Meter, path: str) -> _Row:
    """Warm the page up, then count its work once and time it a few times."""
    with _statements(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    found = _RESULTS.search(response.get_data(as_text=True))
    heading = " ".join(found.group(1).split()) if found else "(no results heading)"
    with meter.counting() as work:
        client.get(path)
    times = []
    for _ in range(TIMED_REQUESTS):
        started = time.perf_counter()
        client.get(path)
        times.append(1000 * (time.perf_counter() - started))
    ranking = [(sql, parameters) for sql, parameters in statements if _RANKING in sql]
    plan = meter.plan(engine, *ranking[0]) if ranking else []
    return _Row(meter.result(work, engine, ranking), statistics.median(times), heading, plan)


@contextmanager
def _statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    captured: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", record)


class _Meter:
    unit = ""

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        yield [0]

    def result(self, work: list[int], engine: Engine, ranking: list[tuple[str, Any]]) -> str:
        return ""

    def plan(self, engine: Engine, statement: str, parameters: Any) -> list[str]:
        return []


class _SqliteMeter(_Meter):
    """VM steps of every statement of the page, in thousands."""

    unit = "k VM steps"

    def __init__(self, engine: Engine) -> None:
        self._steps = [0]

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.set_progress_handler(self._tick, 1000)

        engine.dispose()

    def _tick(self) -> int:
        self._steps[0] += 1
        return 0

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        self._steps[0] = 0
        counted = [0]
        yield counted
        counted[0] = self._steps[0]

    def result(self, work: list[int], engine: Engine, ranking: list[tuple[str, Any]]) -> str:
        return f"{work[0]}k"

    def plan(self, engine: Engine, statement: str, parameters: Any) -> list[str]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return [str(row[3]) for row in rows]


class _PostgresMeter(_Meter):
    """Shared buffers (hit + read) the ranking statement touched."""

    unit = "buffers (ranking query)"

    def result(self, work: list[int], engine: Engine, ranking: list[tuple[str, Any]]) -> str:
        if not ranking:
            return "-"
        lines = self._explain(engine, "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ", *ranking[0])
        found = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", "\n".join(lines))
        return str(int(found.group(1)) + int(found.group(2) or 0)) if found else "?"

    def plan(self, engine: Engine, statement: str, parameters: Any) -> list[str]:
        return self._explain(
            engine, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ", statement, parameters
        )

    @staticmethod
    def _explain(engine: Engine, prefix: str, statement: str, parameters: Any) -> list[str]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(prefix + statement, parameters)
            return [str(row[0]) for row in rows]


if __name__ == "__main__":
    sys.exit(main())

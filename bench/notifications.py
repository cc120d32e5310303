"""Notifications under load, in-process: what a reply costs when 10,000 members watch its
topic (against a topic nobody watches), and what ``/notifications`` costs with 10,000
notifications (against the forum index).

    .venv/bin/python bench/notifications.py [--watchers 10000] [--requests 40]

Builds a fresh SQLite database in a temporary folder (about 20 s), then times requests
through Flask's test client, interleaving the two sides of each comparison so that a
busy machine slows both alike, and prints medians, their ratio and SQL queries per
request. A reply only enqueues the fan-out's job (relayed to a Huey queue file in the
same folder; no worker runs it here), so the fan-out itself is timed on its own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select

from forumapp import create_app
from forumapp.auth.factories import password_hasher
from forumapp.database import upgrade_schema
from forumapp.extensions import db
from forumapp.forum.structure import ForumStructure
from forumapp.notifications.factories import fan_out_factory
from forumapp.notifications.models import Notification, TopicWatch
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User

PASSWORD = "bench password, not a secret"


def build(app: Flask, watchers: int) -> dict[str, int]:
    """A forum, a poster, a reader, ``watchers`` members watching one topic; the reader's
    ``watchers`` notifications."""
    with app.app_context():
        password_hash = password_hasher().hash(PASSWORD)  # one hash for all: cheap to build
        group_id = db.session.scalar(select(Group.id).where(Group.key == GroupKey.MEMBER))
        db.session.execute(
            insert(User),
            [
                {
                    "username": f"member{n}",
                    "username_key": f"member{n}",
                    "email": f"member{n}@example.org",
                    "email_key": f"member{n}@example.org",
                    "password_hash": password_hash,
                    "activated": True,
                    "group_id": group_id,
                }
                for n in range(watchers + 2)
            ],
        )
        ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        poster, reader, *watching = ids
        structure = ForumStructure(db.session)
        category = structure.create_category("Bench", "")
        forum = structure.create_forum(category.id, "Bench forum")
        db.session.commit()
        forum_id = forum.id
    return {"poster": poster, "reader": reader, "forum": forum_id, "first_watcher": watching[0]}


def login(app: Flask, username: str) -> FlaskClient:
    """A client logged in through the login form."""
    client = app.test_client()
    response = client.post("/auth/login", data={"login": username, "password": PASSWORD})
    assert response.status_code == 302, "the benchmark's member could not log in"
    return client


def posted(client: FlaskClient, path: str, **data: str) -> int:
    """POST a form; the id at the end of the page it redirects to."""
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.location.rstrip("/").rsplit("/", 1)[1].split("?")[0])


def measure(app: Flask, calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, Any]:
    """Median milliseconds and SQL statements per call, the calls interleaved."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    queries: dict[str, int] = {}
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *_: statements.append("")  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(rounds):
            for name, call in calls.items():
                statements.clear()
                start = time.perf_counter()
                call()
                times[name].append((time.perf_counter() - start) * 1000)
                queries[name] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return {name: (statistics.median(values), queries[name]) for name, values in times.items()}


def run(app: Flask, ids: dict[str, int], watchers: int, rounds: int) -> str:
    """Time the comparisons; a Markdown table."""
    poster, reader = login(app, "member0"), login(app, "member1")
    forum = ids["forum"]
    quiet = posted(poster, f"/forum/{forum}/new-topic", title="Nobody watches", content="x")
    watched = posted(poster, f"/forum/{forum}/new-topic", title="Everybody watches", content="x")
    with app.app_context():
        db.session.execute(
            insert(TopicWatch),
            [
                {"user_id": user_id, "topic_id": watched, "level": "watching"}
                for user_id in range(ids["first_watcher"], ids["first_watcher"] + watchers)
            ],
        )
        now = utcnow()
        db.session.execute(
            insert(Notification),
            [
                {
                    "user_id": ids["reader"],
                    "kind": "new_topic",
                    "topic_id": quiet,
                    "actor_name": "member0",
                    "subject": f"Topic {n}",
                    "created_at": now,
                    "updated_at": now,
                    "mail_status": "sent",
                }
                for n in range(watchers)
            ],
        )
        db.session.commit()
    replies = measure(
        app,
        {
            "reply, topic nobody watches": lambda: posted(
                poster, f"/topic/{quiet}/reply", content="A reply"
            ),
            f"reply, topic {watchers:,} watch": lambda: posted(
                poster, f"/topic/{watched}/reply", content="A reply"
            ),
        },
        rounds,
    )
    pages = measure(
        app,
        {
            "index (/)": lambda: reader.get("/"),
            f"/notifications, {watchers:,} rows": lambda: reader.get("/notifications"),
            "/notifications?page=300": lambda: reader.get("/notifications?page=300"),
        },
        rounds,
    )
    with app.app_context():
        post = posted(poster, f"/topic/{watched}/reply", content="One more")
        db.session.execute(Notification.__table__.delete().where(Notification.topic_id == watched))
        db.session.commit()
        start = time.perf_counter()
        fan_out_factory(db.session).post_saved(post)
        fan_out = (time.perf_counter() - start) * 1000
        written = db.session.scalar(select(db.func.count()).where(Notification.topic_id == watched))
    rows = [*replies.items(), *pages.items()]
    table = ["| request | median ms | SQL statements |", "|---|---:|---:|"]
    table += [f"| {name} | {ms:.1f} | {count} |" for name, (ms, count) in rows]
    (quiet_ms, _), (watched_ms, _) = replies.values()
    index_ms, list_ms = (ms for ms, _ in list(pages.values())[:2])
    table += [
        "",
        f"Reply with {watchers:,} watchers / with none: {watched_ms / quiet_ms:.2f} times"
        " (target: at most 1.5)",
        f"/notifications with {watchers:,} rows / the index: {list_ms / index_ms:.2f} times",
        f"Fan-out of one reply to {watchers:,} watchers: {fan_out:.0f} ms, {written:,} rows",
    ]
    return "\n".join(table)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="forumapp-bench-notifications-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "JOBS_URL": f"sqlite:///{folder / 'jobs.sqlite3'}",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "dummy",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
        }
    )
    upgrade_schema(app)
    print(f"Building: {args.watchers:,} watchers in {folder} ...", flush=True)
    ids = build(app, args.watchers)
    print(run(app, ids, args.watchers, args.requests))


if __name__ == "__main__":
    main(sys.argv[1:])

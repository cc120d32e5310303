"""Writers and readers at once: pages that read never fail or wait because someone writes,
writes that cannot be made answer a clear 503, and nothing is half-written."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from forumapp.extensions import db
from forumapp.forum import posting
from forumapp.forum.markdown import render_markdown
from forumapp.forum.models import Topic, TopicRead
from tests.conftest import AuthActions, skip_on_postgresql
from tests.faults.database_servers import Client, gunicorn, is_site_error_page, sqlite_site
from tests.forum_world import World

WRITERS = 20
READERS = 4
#: Markdown that takes a while to render (tens of milliseconds), as long posts do.
#: How long the reply's rendering takes at least, in seconds.
CONTENT = "**Bold** _words_ [a link](https://example.org/x) `code`\n\n- one\n- two\n\n" * 80


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    # Every view is written at once: the page would write on each request.
    return {"VIEW_COUNT_FLUSH_EVERY": 1}


def test_a_topic_page_never_fails_or_waits_while_a_writer_holds_the_lock(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    topic = world.topic()
    auth.login("alice")
    with app.app_context():
        url = db.engine.url
    holder = create_engine(url, poolclass=NullPool)
    answers: list[tuple[int, float]] = []

    def read() -> None:
        started = time.monotonic()
        status = client.get(f"/topic/{topic}").status_code
        answers.append((status, time.monotonic() - started))

    with holder.connect() as connection:
        hold_write_lock(connection, topic)
        try:
            reader = threading.Thread(target=read)
            reader.start()
            reader.join(timeout=15)
        finally:
            connection.rollback()
    reader.join(timeout=15)
    holder.dispose()
    assert answers, "the page never answered"
    status, seconds = answers[0]
    assert status == 200
    assert seconds < 2.0, f"the page waited {seconds:.1f} s for the writer"
    # What the page could not write then is written by the next view: both views count.
    assert client.get(f"/topic/{topic}").status_code == 200
    with app.app_context():
        assert db.session.get(Topic, topic).views == 2  # type: ignore[union-attr]
        assert db.session.get(TopicRead, (world.users["member"], topic)) is not None


def test_markdown_is_rendered_before_the_write_lock_is_taken(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rendering can take a while; a writer that rendered under the lock would hold every
    # other writer up for that long. So while another connection holds the lock, the reply
    # must get all the way through rendering; it may only wait for the lock afterwards.
    # Events, not timings: a loaded machine makes this slower, never wrong.
    topic = world.topic()
    rendered = threading.Event()

    def recording_render(source: str) -> str:
        html = render_markdown(source)
        rendered.set()
        return html

    monkeypatch.setattr(posting, "render_markdown", recording_render)
    with app.app_context():
        url = db.engine.url
    holder = create_engine(url, poolclass=NullPool)
    finished = threading.Event()

    def reply() -> None:
        world.reply(topic, content=CONTENT)
        finished.set()

    with holder.connect() as connection:
        hold_write_lock(connection, topic)
        try:
            replier = threading.Thread(target=reply)
            replier.start()
            rendered_under_the_lock = rendered.wait(timeout=10)
            # Nor did it write anything while the lock was held.
            written_under_the_lock = finished.is_set()
        finally:
            connection.rollback()
    replier.join(timeout=15)
    holder.dispose()
    assert finished.is_set(), "the reply never finished"
    assert rendered_under_the_lock, "the reply waited for the write lock before rendering"
    assert not written_under_the_lock


def hold_write_lock(connection: Connection, topic_id: int) -> None:
    """Take what a writer holds: SQLite's write lock, PostgreSQL's lock on the topic row."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.execute(text("SELECT id FROM topics WHERE id = :id FOR UPDATE"), {"id": topic_id})


@skip_on_postgresql("the SQLite file of its own gunicorn")
def test_concurrent_writers_never_break_reads_or_half_write(tmp_path: Path) -> None:
    writers = [f"writer{n:02}" for n in range(WRITERS)]
    readers = [f"reader{n}" for n in range(READERS)]
    database, seeded = sqlite_site(tmp_path, [*writers, *readers])
    topic = seeded.topic_id
    settings = {"VIEW_COUNT_FLUSH_EVERY": "1"}
    with gunicorn(tmp_path, database.uri, workers=4, threads=2, **settings) as server:
        #: Statuses of the reads, by what the database was going through when they began.
        reads: Counter[tuple[str, int]] = Counter()
        phase = ["contention"]
        saved: Counter[str] = Counter()
        stop = threading.Event()

        def sign_in(name: str) -> tuple[Client, str]:
            client = Client(server.base_url)
            client.login(name)
            return client, client.csrf_token(f"/topic/{topic}/reply")

        def keep_reading(name: str) -> None:
            client, _ = sign_in(name)
            while not stop.is_set():
                began = phase[0]
                reads[began, client.get(f"/topic/{topic}").status] += 1

        def write(name: str, client: Client, token: str, allowed: set[int]) -> int:
            status = client.reply(topic, token, f"{name} says\n\n{CONTENT}").status
            assert status in allowed, f"{name}: {status}\n{server.logs()}"
            if status == 302:
                saved[name] += 1
            return status

        with ThreadPoolExecutor(WRITERS + READERS) as pool:
            sessions = dict(zip(writers, pool.map(sign_in, writers), strict=True))
            reading = [pool.submit(keep_reading, name) for name in readers]

            def round_of_writes(allowed: set[int]) -> Counter[int]:
                futures = [pool.submit(write, name, *sessions[name], allowed) for name in writers]
                return Counter(future.result() for future in futures)

            try:
                # Twenty writers at once: every write is made, every read is served.
                assert round_of_writes({302}) == {302: WRITERS}
                # The database cannot be written (new workers find it read-only):
                # writes answer the site's 503.
                with database.read_only():
                    phase[0] = "outage"
                    server.restart_workers()
                    refused = round_of_writes({302, 503})
                    page = sessions[writers[0]][0].reply(topic, sessions[writers[0]][1], "x")
                    assert is_site_error_page(page, 503)
                    phase[0] = "recovered"
                assert refused[503] > 0
                # Writable again: every write is made at once.
                assert round_of_writes({302}) == {302: WRITERS}
            finally:
                stop.set()
                for future in reading:
                    future.result()
    statuses = {(began, status) for began, status in reads}
    # While the file is read-only, a worker without a connection opened before answers 503
    # (see forumapp.database.SqliteFile); reads are served otherwise, and always after.
    allowed = {("contention", 200), ("outage", 200), ("outage", 503), ("recovered", 200)}
    assert statuses <= allowed, f"reads answered {dict(reads)}"
    assert ("contention", 200) in statuses and ("recovered", 200) in statuses
    total = sum(saved.values())
    assert database.scalar("SELECT count(*) FROM posts WHERE topic_id = ?", topic) == 1 + total
    assert database.scalar("SELECT post_count FROM topics WHERE id = ?", topic) == 1 + total
    assert database.scalar("SELECT post_number_seq FROM topics WHERE id = ?", topic) == 1 + total
    assert database.scalar("SELECT post_count FROM forums WHERE id = ?", seeded.forum_id) == (
        1 + total
    )
    for name in writers:
        posts = database.scalar("SELECT post_count FROM users WHERE username = ?", name)
        opened = name == seeded.usernames[0]  # the first post is the topic's opener's
        assert posts == saved[name] + opened, name

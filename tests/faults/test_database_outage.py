"""The database goes away and comes back: a read-only SQLite file, a stopped PostgreSQL
server. Pages answer 503 with the site's own error page (never a bare 500, never a write
saved behind an error), and the site recovers by itself when the database is back."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from forumapp import create_app
from forumapp.extensions import db
from tests.conftest import AuthActions, base_config, csrf_token, migrate, skip_on_postgresql
from tests.faults.database_servers import (
    Client,
    gunicorn,
    is_site_error_page,
    private_postgres,
    seed,
    sqlite_site,
    wait_for,
)
from tests.forum_world import World

MEMBERS = ["opener", "writer"]


@skip_on_postgresql("the SQLite file of its own gunicorn")
def test_a_worker_started_while_the_database_is_read_only_writes_once_it_is_writable(
    tmp_path: Path,
) -> None:
    database, seeded = sqlite_site(tmp_path, MEMBERS)
    topic = seeded.topic_id
    with gunicorn(tmp_path, database.uri, workers=2) as server:
        writer = Client(server.base_url)
        writer.login("writer")
        token = writer.csrf_token(f"/topic/{topic}/reply")
        saved = 0
        with database.read_only():
            server.restart_workers()  # these workers start with the file read-only
            for _ in range(12):
                page = Client(server.base_url).get(f"/topic/{topic}")
                assert page.status in (200, 503), server.logs()
                if page.status == 503:
                    assert is_site_error_page(page, 503)
            refused = writer.reply(topic, token, "Written while the file is read-only")
            assert is_site_error_page(refused, 503), (refused.status, refused.body[:300])
            assert refused.headers.get("Retry-After")
        # Every write succeeds again at once, whichever worker takes it.
        for n in range(16):
            answer = writer.reply(topic, token, f"Written after the outage, {n}")
            assert answer.status == 302, (answer.status, answer.body[:300], server.logs())
            saved += 1
    assert database.scalar("SELECT count(*) FROM posts WHERE topic_id = ?", topic) == 1 + saved
    assert database.scalar("SELECT post_count FROM topics WHERE id = ?", topic) == 1 + saved
    assert database.scalar("SELECT post_count FROM forums WHERE id = ?", seeded.forum_id) == (
        1 + saved
    )


@skip_on_postgresql("a PostgreSQL cluster of its own: it runs once, in the SQLite pass")
def test_a_stopped_postgresql_answers_503_with_the_sites_page_and_recovers(
    tmp_path: Path,
) -> None:
    with private_postgres() as cluster:
        migrate(cluster.url)
        seeded = seed(cluster.url, MEMBERS)
        topic = seeded.topic_id
        uri = cluster.url.render_as_string(hide_password=False)
        with gunicorn(tmp_path, uri, workers=2) as server:
            member = Client(server.base_url)
            member.login("writer")
            token = member.csrf_token(f"/topic/{topic}/reply")
            guest = Client(server.base_url)
            assert guest.get("/").status == 200
            cluster.stop()
            try:
                # A guest's page, a member's page (loading the member needs the database,
                # and so would the error page, were it not careful) and a write.
                for client, path in [(guest, "/"), (member, f"/topic/{topic}"), (member, "/")]:
                    page = client.get(path)
                    assert is_site_error_page(page, 503), (path, page.status, page.body[:300])
                    assert page.headers.get("Retry-After")
                refused = member.reply(topic, token, "Written while PostgreSQL is down")
                assert is_site_error_page(refused, 503), (refused.status, refused.body[:300])
            finally:
                cluster.start()
            wait_for(lambda: member.get(f"/topic/{topic}").status == 200, 10, "recovery")
            assert guest.get("/").status == 200
            assert member.reply(topic, token, "Written after the outage").status == 302
        posts = cluster.scalar("SELECT count(*) FROM posts WHERE topic_id = :t", t=topic)
        assert posts == 2, "the reply refused with a 503 must not have been saved"
        assert cluster.scalar("SELECT post_count FROM topics WHERE id = :t", t=topic) == 2


@skip_on_postgresql("a SQLite file that is not there yet")
def test_an_app_started_without_its_database_serves_once_the_database_is_there(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "not-yet"
    app = create_app(base_config(folder / "forumapp.sqlite3"))  # opens no connection
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert "Error 503" in page.get_data(as_text=True)
    folder.mkdir()
    migrate(folder / "forumapp.sqlite3")
    assert client.get("/").status_code == 200
    with app.app_context():
        db.engine.dispose()


@skip_on_postgresql("a SQLite file taken away from a running app")
def test_error_pages_render_without_the_database(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    topic = world.topic()
    auth.login("alice")
    token = csrf_token(client, f"/topic/{topic}/reply")
    with app.app_context():
        path = Path(db.engine.url.database or "")
        db.engine.dispose()
    # The database file gives way to a folder: no connection can open it.
    shutil.move(path, path.with_name("elsewhere.sqlite3"))
    path.mkdir()
    # A page that needs the database, and one that does not whose layout would show
    # who is logged in.
    for url, expected in [("/", 503), (f"/topic/{topic}", 503), ("/no-such-page", 404)]:
        response = client.get(url)
        assert response.status_code == expected, url
        page = response.get_data(as_text=True)
        assert f"Error {expected}" in page and 'class="site-header"' in page
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    response = client.post(f"/topic/{topic}/reply", data={"content": "x", "csrf_token": token})
    assert response.status_code == 503

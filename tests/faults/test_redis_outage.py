"""The rate limiter's Redis stopped, frozen and started again, under the full app.

Each test runs the app on a Redis of its own (``tests/faults/redis_server.py``). While it
is down or frozen: pages and API reads answer as usual, and quickly; writes and logins get
a 503 in the site's own words (problem+json under /api/v1) and write nothing at all. Once
it answers again, so does posting, with every counter exact.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import user_logged_in
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from forumapp import create_app
from forumapp.auth.models import AuthSession
from forumapp.config import ConfigError
from forumapp.extensions import LIMITER_STATE_KEY, db, limiter
from forumapp.forum.models import Post, Report, Topic
from forumapp.limit_storage import UNAVAILABLE_MESSAGE
from forumapp.users.models import User
from tests.api_support import ApiClient, assert_problem, issue_token
from tests.conftest import AuthActions, base_config, csrf_token, register
from tests.faults.redis_server import FaultyRedis, running_redis
from tests.forum_world import World
from tests.functional.test_forum_counters import stored_and_recounted
from tests.functional.test_forum_pages import any_csrf_token, login_as, post_form

#: How long the app waits for Redis in these tests.
STORAGE_TIMEOUT = 2.0
#: What a frozen Redis may cost a request that needs it: one storage timeout, and slack.
FROZEN_WRITE_SECONDS = STORAGE_TIMEOUT + 1.2
#: A page that does not count anything must not wait for Redis at all: it answers in less
#: than one storage timeout (with room for a loaded machine running tests in parallel).
READ_SECONDS = 1.5


@pytest.fixture
def faulty_redis(tmp_path: Path) -> Iterator[FaultyRedis]:
    """The app's own Redis (see tests/faults/redis_server.py)."""
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def config_overrides(faulty_redis: FaultyRedis) -> dict[str, Any]:
    """The app counts in the test's own Redis, and gives up on it quickly."""
    return {"RATELIMIT_STORAGE_URI": faulty_redis.uri, "RATELIMIT_STORAGE_TIMEOUT": STORAGE_TIMEOUT}


def everything_stored(app: Flask) -> dict[str, Any]:
    """Row counts, every post's text and every counter: what a refused write must not touch."""
    stored, _ = stored_and_recounted(app)
    with app.app_context():
        session = db.session
        return {
            "counters": stored,
            "posts": session.execute(select(Post.id, Post.content).order_by(Post.id)).all(),
            "topics": session.execute(select(Topic.id, Topic.title).order_by(Topic.id)).all(),
            "reports": session.scalar(select(func.count()).select_from(Report)),
            "users": session.scalar(select(func.count()).select_from(User)),
            "sessions": session.scalar(select(func.count()).select_from(AuthSession)),
        }


def assert_unavailable_page(response: TestResponse) -> None:
    """The site's own 503 page, saying what happened and that nothing was saved."""
    assert response.status_code == 503, response.status_code
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Temporarily unavailable" in page
    assert UNAVAILABLE_MESSAGE in page
    assert int(response.headers["Retry-After"]) > 0


def write_everything(client: FlaskClient, world: World, topic: int, post: int) -> list[Any]:
    """Every kind of content write a member makes on the web, once."""
    return [
        post_form(
            client, f"/forum/{world.forum_a}/new-topic", title="New", content="x", submit="1"
        ),
        post_form(client, f"/topic/{topic}/reply", content="a reply", submit="1"),
        post_form(client, f"/post/{post}/edit", title="Changed", content="changed", submit="1"),
        post_form(client, f"/topic/{topic}/reply", content="a preview", preview="1"),
        post_form(client, f"/post/{post}/report", reason="spam"),
    ]


def test_web_writes_get_a_clear_503_and_save_nothing_while_redis_is_down(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    topic = world.topic("member2")
    own_topic = world.topic("member", title="Mine")
    with world.app.app_context():
        own_post = db.session.scalar(select(Post.id).where(Post.topic_id == own_topic))
    login_as(auth, world, "member")
    before = everything_stored(world.app)

    faulty_redis.stop()
    for response in write_everything(client, world, topic, own_post or 0):
        assert_unavailable_page(response)
    assert everything_stored(world.app) == before


def test_signing_up_gets_a_503_and_creates_no_account_while_redis_is_down(
    client: FlaskClient, world: World, faulty_redis: FaultyRedis
) -> None:
    before = everything_stored(world.app)
    faulty_redis.stop()
    assert_unavailable_page(register(client, "newcomer", "newcomer@example.org"))
    assert everything_stored(world.app) == before


def test_api_writes_get_a_problem_503_and_save_nothing_while_redis_is_down(
    client: FlaskClient, world: World, faulty_redis: FaultyRedis
) -> None:
    topic = world.topic("member")
    with world.app.app_context():
        post = db.session.scalar(select(Post.id).where(Post.topic_id == topic))
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    before = everything_stored(world.app)

    faulty_redis.stop()
    for response in (
        api.post("/posts/", {"topic_id": topic, "content": "reply"}),
        api.post("/topics/", {"forum_id": world.forum_a, "title": "New", "content": "x"}),
        api.patch(f"/posts/{post}", {"content": "changed"}),
    ):
        document = assert_problem(response, 503)
        assert document["detail"] == UNAVAILABLE_MESSAGE
        assert int(response.headers["Retry-After"]) > 0
    assert everything_stored(world.app) == before


def test_logins_are_refused_with_a_503_while_redis_is_down(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    # Without the count of failed attempts, password guessing would be unlimited.
    before = everything_stored(world.app)
    faulty_redis.stop()
    assert_unavailable_page(auth.login("alice"))
    assert everything_stored(world.app) == before  # no login session was started
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_password_confirmations_are_refused_with_a_503_while_redis_is_down(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    login_as(auth, world, "member")
    token = csrf_token(client, "/auth/reauth")
    faulty_redis.stop()
    form = {"password": "correct horse battery staple", "csrf_token": token}
    assert_unavailable_page(client.post("/auth/reauth", data=form))
    # The member stays logged in meanwhile.
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_reading_goes_on_while_redis_is_down(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    topic = world.topic("member2")
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    login_as(auth, world, "member")

    faulty_redis.stop()
    pages = ["/", f"/forum/{world.forum_a}", f"/topic/{topic}", "/search?q=first", "/user/bob"]
    pages += [f"/topic/{topic}/reply", f"/forum/{world.forum_a}/feed.atom"]
    for path in pages:
        assert client.get(path).status_code == 200, path
    for path in ("/topics/", f"/topics/{topic}", "/me"):
        assert api.get(path).status_code == 200, path
    assert ApiClient(client).get("/posts/").status_code == 200


def test_posting_works_again_as_soon_as_redis_is_back(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    topic = world.topic("member2")
    login_as(auth, world, "member")
    faulty_redis.stop()
    assert_unavailable_page(post_form(client, f"/topic/{topic}/reply", content="x", submit="1"))

    faulty_redis.start()
    back = time.monotonic()
    reply = post_form(client, f"/topic/{topic}/reply", content="back again", submit="1")
    assert reply.status_code == 302
    assert time.monotonic() - back < READ_SECONDS
    stored, recounted = stored_and_recounted(world.app)
    assert stored == recounted
    with world.app.app_context():
        contents = db.session.scalars(select(Post.content).where(Post.topic_id == topic)).all()
    assert contents == ["First post", "back again"]


def test_a_frozen_redis_stalls_no_reader_and_refuses_writes_quickly(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    topic = world.topic("member2")
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    login_as(auth, world, "member")
    before = everything_stored(world.app)

    guest = world.app.test_client()
    reads = [
        (client, "/"),
        (client, f"/topic/{topic}"),
        (client, f"/forum/{world.forum_a}"),
        (guest, "/auth/login"),
        (guest, "/auth/register"),
        (guest, "/auth/reset-password"),
    ]
    for reader, path in reads:  # templates compiled, caches filled
        reader.get(path)

    faulty_redis.freeze()
    for reader, path in reads:
        started = time.monotonic()
        assert reader.get(path).status_code == 200, path
        assert time.monotonic() - started < READ_SECONDS, path
    started = time.monotonic()
    assert api.get(f"/topics/{topic}").status_code == 200  # counted in Redis: one timeout
    assert time.monotonic() - started < FROZEN_WRITE_SECONDS
    started = time.monotonic()
    assert_unavailable_page(post_form(client, f"/topic/{topic}/reply", content="x", submit="1"))
    assert_problem(api.post("/posts/", {"topic_id": topic, "content": "x"}), 503)
    assert time.monotonic() - started < 2 * FROZEN_WRITE_SECONDS
    assert everything_stored(world.app) == before

    faulty_redis.thaw()
    assert post_form(client, f"/topic/{topic}/reply", content="x", submit="1").status_code == 302


def test_logging_in_works_again_once_redis_is_back(
    client: FlaskClient, world: World, faulty_redis: FaultyRedis
) -> None:
    # A person who met the 503 logs in with the same form once Redis is back.
    token = csrf_token(client)
    faulty_redis.stop()
    form = {"login": "alice", "password": "correct horse battery staple", "csrf_token": token}
    assert client.post("/auth/login", data=form).status_code == 503
    faulty_redis.start()
    assert client.post("/auth/login", data=form).status_code == 302


def test_the_api_documents_the_503_its_writes_may_answer(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    writes = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("post", "patch", "delete")
    ]
    assert writes
    for path, method, operation in writes:
        answer = operation["responses"].get("503")
        assert answer is not None, f"{method.upper()} {path}"
        assert "Retry-After" in answer["headers"]


def test_a_write_done_when_redis_dies_is_answered_as_done(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    # Redis stops after the write committed, while the answer is being finished: the
    # answer must say what happened (saved), not 500 over a saved write.
    stopping = {"now": False}

    def stop_redis_after_the_view(response: Any) -> Any:
        if stopping["now"]:
            stopping["now"] = False
            faulty_redis.stop()
        return response

    # Added last, so it runs first among the app's after_request hooks.
    world.app.after_request(stop_redis_after_the_view)
    topic = world.topic("member2")
    reply = world.reply(topic, "member2")
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    login_as(auth, world, "member")
    stopping["now"] = True
    created = api.post("/posts/", {"topic_id": topic, "content": "saved once"})
    assert created.status_code == 201, created.get_data(as_text=True)
    faulty_redis.start()
    token = any_csrf_token(client)
    stopping["now"] = True
    reported = client.post(f"/post/{reply}/report", data={"csrf_token": token, "reason": "spam"})
    assert reported.status_code == 302, reported.status_code
    with world.app.app_context():
        saved = db.session.scalars(select(Post.content).where(Post.topic_id == topic)).all()
        reports = db.session.scalar(select(func.count()).select_from(Report))
    assert saved.count("saved once") == 1
    assert reports == 1


def test_a_login_that_succeeds_as_redis_dies_is_a_login(
    client: FlaskClient, world: World, auth: AuthActions, faulty_redis: FaultyRedis
) -> None:
    # The attempt was counted before the password check; Redis then goes away before the
    # successful attempt is given back. The member is logged in all the same.
    def stop_redis(*_: Any, **__: Any) -> None:
        faulty_redis.stop()

    with user_logged_in.connected_to(stop_redis, world.app):
        response = auth.login("alice")
    assert response.status_code == 302
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_the_storage_timeout_is_checked_when_the_app_starts(
    tmp_path: Path, faulty_redis: FaultyRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {**base_config(tmp_path / "db.sqlite3"), "RATELIMIT_STORAGE_URI": faulty_redis.uri}
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_TIMEOUT"):
        create_app({**config, "RATELIMIT_STORAGE_TIMEOUT": 0.0})
    # Whole seconds from the environment are seconds too.
    monkeypatch.setenv("FORUMAPP_RATELIMIT_STORAGE_TIMEOUT", "2")
    state = create_app(config).extensions[LIMITER_STATE_KEY][limiter]
    assert state["_storage_options"]["socket_timeout"] == 2.0


def test_a_frozen_redis_costs_api_readers_one_timeout_not_one_each(
    client: FlaskClient, world: World, faulty_redis: FaultyRedis
) -> None:
    # Each worker waits out one timeout, then reads skip Redis for a second: a burst of
    # API reads must not hold workers for a timeout apiece.
    topic = world.topic("member2")
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    faulty_redis.freeze()
    started = time.monotonic()
    statuses = [api.get(f"/topics/{topic}").status_code for _ in range(8)]
    took = time.monotonic() - started
    assert statuses == [200] * 8
    assert took < 2 * STORAGE_TIMEOUT, took

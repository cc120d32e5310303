"""The forum's "last post" is the newest post, even when writers race (SQLite and PostgreSQL).

A post's time orders the last-post pointers, so it has to be read once the writer holds
the forum: a time read earlier can be older than one a faster writer has stored already.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import Forum, Post
from forumapp.forum.posting import Clock, PostingService
from tests.forum_world import World

#: How long the first writer waits, once it has read the time, for the second to finish.
HOLD_SECONDS = 1.0


class TickingClock:
    """A clock that moves a second at each reading, shared by the writers."""

    def __init__(self) -> None:
        self._now = datetime(2030, 1, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=1)
            return self._now


def post(service: PostingService, world: World, kind: str, topic: int, text: str) -> int:
    """Write a reply to ``topic``, or a new topic in its forum; the new post's id."""
    actor = world.actor("admin")
    if kind == "reply":
        return service.reply(actor, topic, text).id
    new_topic = service.create_topic(actor, world.forum_a, f"Topic {text}", text)
    assert new_topic.last_post_id is not None
    return new_topic.last_post_id


@pytest.mark.parametrize(
    ("first_kind", "second_kind"),
    [("reply", "reply"), ("new topic", "reply"), ("reply", "new topic")],
)
def test_the_forums_last_post_is_the_newest_when_writers_race(
    app: Flask, world: World, first_kind: str, second_kind: str
) -> None:
    first_topic, second_topic = world.topic("member"), world.topic("member2")
    clock = TickingClock()
    first_read_the_time, second_done = threading.Event(), threading.Event()
    written: dict[str, int] = {}
    errors: list[BaseException] = []

    def slow_clock() -> datetime:
        # The first writer is overtaken right after reading the time, if it can be.
        now = clock()
        first_read_the_time.set()
        second_done.wait(timeout=HOLD_SECONDS)
        return now

    def write(name: str, kind: str, topic: int, reader: Clock) -> None:
        try:
            with app.app_context():
                written[name] = post(PostingService(db.session, reader), world, kind, topic, name)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def second() -> None:
        first_read_the_time.wait(timeout=10)
        write("second", second_kind, second_topic, clock)
        second_done.set()

    threads = [
        threading.Thread(target=write, args=("first", first_kind, first_topic, slow_clock)),
        threading.Thread(target=second),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors

    with app.app_context():
        forum = db.session.get(Forum, world.forum_a)
        assert forum is not None
        newest = db.session.execute(
            select(Post.id, Post.created_at).order_by(Post.created_at.desc()).limit(1)
        ).one()
        assert (forum.last_post_id, forum.last_post_at) == tuple(newest)
        # The post written last is the newest one, whichever writer started first.
        assert newest[0] == max(written.values())

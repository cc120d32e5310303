"""Notifications cost a fixed number of SQL queries whatever their audience or number:
the reply that 1,000 members watch, the list of many notifications, and the header's bell
(at most one query on every forum page)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import insert, select

from forumapp.extensions import db
from forumapp.notifications.models import Notification, TopicWatch
from forumapp.sqltypes import utcnow
from forumapp.users.models import Group, User
from tests.forum_world import World
from tests.functional.test_forum_pages import any_csrf_token
from tests.functional.test_forum_query_counts import counted_queries
from tests.notification_support import Member, members


def add_watchers(app: Flask, topic_id: int, count: int) -> None:
    """``count`` members of the Member group who watch the topic, written in two statements."""
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).where(Group.key == "member"))
        db.session.execute(
            insert(User),
            [
                {
                    "username": f"watcher{n}",
                    "username_key": f"watcher{n}",
                    "email": f"watcher{n}@example.org",
                    "email_key": f"watcher{n}@example.org",
                    "password_hash": "x",
                    "activated": True,
                    "group_id": group_id,
                }
                for n in range(count)
            ],
        )
        ids = db.session.scalars(select(User.id).where(User.username.like("watcher%"))).all()
        db.session.execute(
            insert(TopicWatch),
            [{"user_id": user_id, "topic_id": topic_id, "level": "watching"} for user_id in ids],
        )
        db.session.commit()


def reply_queries(app: Flask, member: Member, topic_id: int) -> int:
    token = any_csrf_token(member.client)
    with counted_queries(app) as statements:
        response = member.client.post(
            f"/topic/{topic_id}/reply", data={"content": "A reply", "csrf_token": token}
        )
    assert response.status_code == 302
    return len(statements)


def test_a_reply_costs_the_same_queries_with_0_or_1000_watchers(world: World) -> None:
    alice, bob = members(world)
    warm_up, quiet, watched = (
        alice.start_topic(world.forum_a, title=title)
        for title in ("Warm-up", "Nobody watches", "Everybody watches")
    )
    for topic in (warm_up, quiet, watched):
        alice.watch("topic", topic, "muted")  # the watchers are the only audience
    add_watchers(world.app, watched, 1000)
    bob.reply(warm_up)  # the first request loads things once per process
    without = reply_queries(world.app, bob, quiet)
    with_watchers = reply_queries(world.app, bob, watched)
    assert with_watchers == without
    with world.app.app_context():
        lines = db.session.scalars(
            select(Notification.event_count).where(Notification.topic_id == watched)
        ).all()
    assert len(lines) == 1000 and set(lines) == {1}


def list_queries(app: Flask, member: Member) -> int:
    member.page()
    with counted_queries(app) as statements:
        member.page()
    return len(statements)


def add_notifications(app: Flask, user_id: int, count: int) -> None:
    with app.app_context():
        now = utcnow()
        db.session.execute(
            insert(Notification),
            [
                {
                    "user_id": user_id,
                    "kind": "new_topic",
                    "actor_name": "bob",
                    "subject": f"Topic {n}",
                    "detail": "",
                    "event_count": 1,
                    "created_at": now,
                    "updated_at": now,
                    "mail_status": "sent",
                }
                for n in range(count)
            ],
        )
        db.session.commit()


def test_the_list_costs_the_same_queries_with_few_or_many_notifications(world: World) -> None:
    alice, _ = members(world)
    add_notifications(world.app, alice.user_id, 2)
    few = list_queries(world.app, alice)
    add_notifications(world.app, alice.user_id, 500)
    assert list_queries(world.app, alice) == few
    assert 'rel="next"' in alice.page()


def page_queries(app: Flask, member: Member, path: str) -> int:
    member.page(path)
    with counted_queries(app) as statements:
        member.page(path)
    return len(statements)


def test_the_bell_adds_at_most_one_query_to_forum_pages(world: World, app: Flask) -> None:
    alice, bob = members(world)
    topic = bob.start_topic(world.forum_a)
    paths = ["/", f"/forum/{world.forum_a}", f"/topic/{topic}"]
    with_bell = {path: page_queries(app, alice, path) for path in paths}
    assert 'href="/notifications"' in alice.page("/")
    # The same pages as an app without notifications would serve them.
    app.jinja_env.globals["notification_bell"] = lambda: None
    without: dict[str, Any] = {path: page_queries(app, alice, path) for path in paths}
    assert 'href="/notifications"' not in alice.page("/")
    assert all(with_bell[path] - without[path] <= 1 for path in paths), (with_bell, without)

"""Crafted requests that must be refused cleanly (found in review; each would fail without
its fix)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.forum.models import Forum, Post, Report, Topic, TopicRead
from forumapp.forum.tracking import ReadTracker
from forumapp.sqltypes import utcnow
from tests.conftest import AuthActions
from tests.forum_world import World, ban
from tests.functional.test_forum_pages import login_as, post_form

HUGE = str(10**20)


@pytest.mark.parametrize(
    "path",
    [
        f"/post/{HUGE}",
        f"/topic/{HUGE}",
        f"/post/{HUGE}/edit",
        f"/post/{HUGE}/delete",
        f"/post/{HUGE}/report",
        f"/topic/{HUGE}/reply",
        f"/topic/{HUGE}/unread",
        f"/topic/{HUGE}/feed.atom",
        f"/forum/{HUGE}",
        "/topic/0",
    ],
)
def test_ids_beyond_the_database_range_are_404(
    client: FlaskClient, world: World, auth: AuthActions, path: str
) -> None:
    login_as(auth, world, "admin")
    assert client.get(path).status_code == 404


def test_huge_ids_in_forms_and_query_strings_are_refused(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "admin")
    assert client.get(f"/topic/{topic}/reply?quote={HUGE}").status_code == 200
    moderate = f"/forum/{world.forum_a}/moderate"
    assert post_form(client, moderate, action="lock", topic_ids=HUGE).status_code == 400
    assert (
        post_form(
            client, moderate, action="move", topic_ids=str(topic), target_forum_id=HUGE
        ).status_code
        == 400
    )
    assert post_form(client, "/admin/reports", report_id=HUGE).status_code == 400


def test_a_banned_moderator_loses_the_report_queue(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2")
    login_as(auth, world, "member")
    post_form(client, f"/post/{reply}/report", reason="secret reason")
    auth.logout()
    login_as(auth, world, "moderator")
    ban(world.app, world.users["moderator"])
    response = client.get("/admin/reports")
    assert response.status_code == 403
    assert "secret reason" not in response.get_data(as_text=True)


def test_deleted_posts_cannot_be_reported(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2")
    with world.app.app_context():
        db.session.get(Post, reply).deleted = True  # type: ignore[union-attr]
        db.session.commit()
    login_as(auth, world, "member")
    assert client.get(f"/post/{reply}/report").status_code == 404
    assert post_form(client, f"/post/{reply}/report", reason="x").status_code == 404


def test_repeated_reports_of_one_post_are_one_report(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2")
    login_as(auth, world, "member")
    for _ in range(5):
        assert post_form(client, f"/post/{reply}/report", reason="spam").status_code == 302
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_reports_are_rate_limited(client: FlaskClient, world: World, auth: AuthActions) -> None:
    world.app.config["FORUM_REPORT_LIMIT"] = "3 per hour"
    topic = world.topic()
    replies = [world.reply(topic, "member2") for _ in range(4)]
    login_as(auth, world, "member")
    statuses = [
        post_form(client, f"/post/{reply}/report", reason="spam").status_code for reply in replies
    ]
    assert statuses == [302, 302, 302, 429]


def test_a_handled_report_cannot_be_handled_again(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2")
    login_as(auth, world, "member")
    post_form(client, f"/post/{reply}/report", reason="spam")
    auth.logout()
    login_as(auth, world, "moderator")
    with world.app.app_context():
        report_id = db.session.scalar(select(Report.id))
    assert (
        post_form(client, "/admin/reports", report_id=str(report_id), note="first").status_code
        == 302
    )
    auth.logout()
    login_as(auth, world, "admin")
    assert (
        post_form(
            client, "/admin/reports", report_id=str(report_id), note="overwritten"
        ).status_code
        == 404
    )
    with world.app.app_context():
        assert db.session.scalar(select(Report.note)) == "first"


def test_a_hidden_post_stops_being_the_last_post(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    first_reply = world.reply(topic, "member")
    spam = world.reply(topic, "member2", "buy now")
    login_as(auth, world, "moderator")
    assert post_form(client, f"/post/{spam}/moderate", action="hide").status_code == 302
    with world.app.app_context():
        stored_topic, forum = db.session.get(Topic, topic), db.session.get(Forum, world.forum_a)
        assert stored_topic is not None and forum is not None
        assert (stored_topic.last_post_id, stored_topic.post_count) == (first_reply, 2)
        assert forum.last_post_id == first_reply
    assert "buy now" not in client.get("/").get_data(as_text=True)


def test_a_forum_read_to_its_end_is_not_unread_on_the_index(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "member")
    topic = world.topic("member2", title="Read me")
    assert 'class="unread"' in client.get("/").get_data(as_text=True)
    client.get(f"/topic/{topic}")
    assert 'class="unread"' not in client.get("/").get_data(as_text=True)
    response = post_form(
        client, f"/forum/{world.forum_a}/new-topic", title="My own", content="x", submit="1"
    )
    client.get(response.location)  # the author lands on their topic
    assert 'class="unread"' not in client.get("/").get_data(as_text=True)


def test_first_unread_respects_mark_all_read(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "member")
    topic = world.topic("member2")
    for _ in range(3):
        world.reply(topic, "member2")
    assert post_form(client, "/mark-all-read").status_code == 302
    fresh = world.reply(topic, "member2", "after marking")
    assert client.get(f"/topic/{topic}/unread").location == f"/post/{fresh}"


def test_two_first_views_at_once_do_not_fail(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    topic = world.topic()
    with world.app.app_context():
        member = world.users["member"]
        # The other tab got there first and read further.
        db.session.add(TopicRead(user_id=member, topic_id=topic, read_at=utcnow(), last_number=5))
        db.session.commit()
        monkeypatch.setattr(db.session, "get", lambda *args, **kwargs: None)
        ReadTracker(db.session, utcnow).topic_seen(member, topic, 3)
        monkeypatch.undo()
        db.session.expire_all()
        assert db.session.get(TopicRead, (member, topic)).last_number == 5  # type: ignore[union-attr]

"""The reading pages through the test client: /unread, /new, /members, quotes, who's
online on the index, and forms that survive a flood-control refusal."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from forumapp.extensions import db
from forumapp.forum.limits import FLOOD_MESSAGE, REPORT_MESSAGE
from forumapp.forum.models import Post, Topic
from forumapp.forum.moderation import ModerationService, PostAction, TopicAction
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_flood_control import own_first_post, told
from tests.functional.test_forum_pages import login_as, post_form


@pytest.fixture
def world(world: World) -> World:
    """The forum world, its members joined a day ago: everything since counts as unread."""
    with world.app.app_context():
        db.session.execute(update(User).values(date_joined=utcnow() - timedelta(days=1)))
        db.session.commit()
    return world


def text_of(client: FlaskClient, path: str) -> str:
    """The page at ``path`` (which must answer 200) as text."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def listed_titles(page: str) -> list[str]:
    """The topic titles of a listing, in order."""
    return re.findall(r'<a class="title" href="/topic/\d+[^"]*">([^<]+)</a>', page)


def set_topic_times(app: Flask, topic: int, **moments: Any) -> None:
    """Move a topic's ``created_at`` / ``last_post_at`` (and its posts') in time."""
    with app.app_context():
        db.session.execute(update(Topic).where(Topic.id == topic).values(**moments))
        if "created_at" in moments:
            db.session.execute(
                update(Post).where(Post.topic_id == topic).values(created_at=moments["created_at"])
            )
        db.session.commit()


# /unread ------------------------------------------------------------------------------


def test_unread_lists_topics_with_unread_posts_newest_activity_first(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    older = world.topic("member2", title="Older talk")
    newer = world.topic("member2", forum=world.forum_b, title="Newer talk")
    world.topic("admin", forum=world.hidden_forum, title="Staff only")
    set_topic_times(world.app, older, last_post_at=utcnow() - timedelta(minutes=5))
    login_as(auth, world, "member")
    page = text_of(client, "/unread")
    assert listed_titles(page) == ["Newer talk", "Older talk"]
    assert f'href="/topic/{newer}/unread">Jump to first unread' in page
    assert 'href="/unread"' in text_of(client, "/")  # the header links it for members

    # Reading a topic takes it off the list; a reply brings it back.
    text_of(client, f"/topic/{older}")
    assert listed_titles(text_of(client, "/unread")) == ["Newer talk"]
    world.reply(older, "member2")
    assert listed_titles(text_of(client, "/unread")) == ["Older talk", "Newer talk"]


def test_unread_leaves_out_what_the_member_marked_read(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    world.topic("member2", title="In A")
    world.topic("member2", forum=world.forum_b, title="In B")
    login_as(auth, world, "member")
    assert post_form(client, f"/forum/{world.forum_a}/mark-read").status_code == 302
    assert listed_titles(text_of(client, "/unread")) == ["In B"]
    assert post_form(client, "/mark-all-read").status_code == 302
    assert "Nothing unread" in text_of(client, "/unread")


def test_unread_and_new_never_show_hidden_forums_or_deleted_topics(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    world.topic("admin", forum=world.hidden_forum, title="Staff only")
    gone = world.topic("member2", title="Deleted one")
    with world.app.app_context():
        ModerationService(db.session, utcnow).act_on_topics(
            world.actor("moderator"), world.forum_a, [gone], TopicAction.DELETE
        )
    world.topic("member2", title="Visible")
    for role in ("member", "moderator"):
        login_as(auth, world, role)
        assert listed_titles(text_of(client, "/unread")) == ["Visible"]
        assert listed_titles(text_of(client, "/new")) == ["Visible"]
        auth.logout()
    assert listed_titles(text_of(client, "/new")) == ["Visible"]


def test_unread_is_for_members(client: FlaskClient) -> None:
    response = client.get("/unread")
    assert response.status_code == 302
    assert "/auth/login" in response.location
    assert 'href="/unread"' not in text_of(client, "/")


def test_unread_pages_through_topics(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    app.config["TOPICS_PER_PAGE"] = 2
    for n in range(5):
        topic = world.topic("member2", title=f"Topic {n}")
        set_topic_times(app, topic, last_post_at=utcnow() - timedelta(minutes=10 - n))
    login_as(auth, world, "member")
    assert listed_titles(text_of(client, "/unread?page=2")) == ["Topic 2", "Topic 1"]
    assert listed_titles(text_of(client, "/unread?page=99")) == ["Topic 0"]
    assert listed_titles(text_of(client, "/unread?page=x")) == ["Topic 4", "Topic 3"]


# /new ---------------------------------------------------------------------------------


def test_new_shows_guests_the_topics_of_the_last_days(
    app: Flask, client: FlaskClient, world: World
) -> None:
    old = world.topic("member2", title="Last month")
    set_topic_times(app, old, created_at=utcnow() - timedelta(days=8))
    world.topic("member2", title="This week")
    page = text_of(client, "/new")
    assert listed_titles(page) == ["This week"]
    assert 'href="/new"' in text_of(client, "/")
    app.config["NEW_TOPICS_DAYS"] = 9
    assert listed_titles(text_of(client, "/new")) == ["This week", "Last month"]


def test_new_shows_members_the_topics_since_their_previous_visit(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    now = utcnow()
    before = world.topic("member2", title="Before the visit")
    set_topic_times(app, before, created_at=now - timedelta(hours=5))
    after = world.topic("member2", title="After the visit")
    set_topic_times(app, after, created_at=now - timedelta(hours=2))
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.id == world.users["member"])
            .values(last_seen=now - timedelta(hours=3))
        )
        db.session.commit()
    login_as(auth, world, "member")
    # Last seen three hours ago: this visit has just begun and the previous one ended then.
    assert listed_titles(text_of(client, "/new")) == ["After the visit"]


# Quotes -------------------------------------------------------------------------------


def test_a_quote_in_the_agreed_format_fills_the_reply_form(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2", content="Line one\nLine two")
    post = own_first_post(world, topic)
    login_as(auth, world, "member")
    topic_page = text_of(client, f"/topic/{topic}")
    assert f'href="/topic/{topic}/reply?quote={post}">Quote</a>' in topic_page
    # A Reply button at the top as well as the form at the bottom.
    assert topic_page.index(f'href="/topic/{topic}/reply">Reply</a>') < topic_page.index(
        'id="reply-title"'
    )
    page = text_of(client, f"/topic/{topic}/reply?quote={post}")
    expected = f"&gt; **[bob](/post/{post}) wrote:**\n&gt; \n&gt; Line one\n&gt; Line two\n\n"
    assert expected in page
    reply = post_form(
        client,
        f"/topic/{topic}/reply",
        content=f"> **[bob](/post/{post}) wrote:**\n> Line one\n\nYes",
        submit="1",
    )
    assert reply.status_code == 302
    assert f'<a href="/post/{post}" rel="nofollow ugc noopener">bob</a> wrote:' in text_of(
        client, f"/topic/{topic}"
    )


def test_a_quote_of_a_post_the_member_cannot_read_is_ignored(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2")
    staff = own_first_post(world, world.topic("admin", forum=world.hidden_forum))
    other = own_first_post(world, world.topic("member2", title="Elsewhere"))
    hidden = world.reply(topic, "member2", content="Hidden words")
    with world.app.app_context():
        ModerationService(db.session, utcnow).act_on_post(
            world.actor("moderator"), hidden, PostAction.HIDE
        )
    login_as(auth, world, "member")
    for quoted in (staff, other, hidden, 999_999):
        page = text_of(client, f"/topic/{topic}/reply?quote={quoted}")
        assert "wrote:**" not in page, quoted


# Forms that survive flood control -----------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{"FORUM_POST_LIMIT": "1 per minute"}])
def test_flood_refused_forms_come_back_filled_with_the_wait(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2")
    own = own_first_post(world, world.topic("member", title="My own"))
    login_as(auth, world, "member")
    assert (
        post_form(client, f"/topic/{topic}/reply", content="first", submit="1").status_code == 302
    )
    attempts = {
        f"/forum/{world.forum_a}/new-topic": {"title": "Kept title", "content": "Kept text 1"},
        f"/topic/{topic}/reply": {"content": "Kept text 2"},
        f"/post/{own}/edit": {"title": "Kept title", "content": "Kept text 3"},
    }
    for path, data in attempts.items():
        response = post_form(client, path, submit="1", **data)
        page = response.get_data(as_text=True)
        assert response.status_code == 429, path
        wait = told(FLOOD_MESSAGE, page)
        assert 0 < wait == int(response.headers["Retry-After"]) <= 60
        for value in data.values():
            assert value in page, (path, value)


@pytest.mark.parametrize("config_overrides", [{"FORUM_REPORT_LIMIT": "1 per hour"}])
def test_a_refused_report_comes_back_filled_with_the_wait(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2")
    first, second = world.reply(topic, "member2"), world.reply(topic, "member2")
    login_as(auth, world, "member")
    assert post_form(client, f"/post/{first}/report", reason="spam").status_code == 302
    response = post_form(client, f"/post/{second}/report", reason="A long explanation")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "A long explanation" in page
    # An hour's budget: the wait is said in minutes, rounded up.
    assert 0 <= told(REPORT_MESSAGE, page) - int(response.headers["Retry-After"]) < 60

"""Reading and writing in the forum over HTTP: pages, posting, reading state, feeds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import Forum, Post, Topic
from forumapp.users.models import User
from tests.conftest import AuthActions, csrf_token
from tests.forum_world import World, ban


def login_as(auth: AuthActions, world: World, role: str) -> None:
    names = {
        "member": "alice",
        "member2": "bob",
        "banned": "mallory",
        "moderator": "mod_a",
        "other_moderator": "mod_b",
        "admin": "root",
    }
    assert auth.login(names[role]).status_code == 302
    if role == "banned":
        ban(world.app, world.users["banned"])


def any_csrf_token(client: FlaskClient) -> str:
    """A CSRF token: from the header's logout form, or the login form for guests."""
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return match.group(1) if match else csrf_token(client, "/auth/login")


def post_form(client: FlaskClient, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": any_csrf_token(client), **data})


def test_index_lists_visible_forums_with_counts(client: FlaskClient, world: World) -> None:
    world.topic()
    page = client.get("/").get_data(as_text=True)
    assert "Forum A" in page
    assert "Forum B" in page
    assert "Staff room" not in page
    assert "1 topic, 1 post." in page


def test_staff_see_the_hidden_forum(client: FlaskClient, world: World, auth: AuthActions) -> None:
    login_as(auth, world, "admin")
    assert "Staff room" in client.get("/").get_data(as_text=True)
    assert client.get(f"/forum/{world.hidden_forum}").status_code == 200


@pytest.mark.parametrize("role", ["guest", "member", "moderator"])
def test_a_hidden_forum_answers_404_everywhere(
    client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    topic = world.topic("admin", forum=world.hidden_forum, title="Secret plans")
    with world.app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic))
    if role != "guest":
        login_as(auth, world, role)
    for path in (
        f"/forum/{world.hidden_forum}",
        f"/topic/{topic}",
        f"/post/{post_id}",
        f"/forum/{world.hidden_forum}/feed.atom",
        f"/topic/{topic}/feed.atom",
        f"/forum/{world.hidden_forum}/new-topic",
        f"/topic/{topic}/reply",
    ):
        response = client.get(path)
        assert response.status_code in (404, 302), path
        if response.status_code == 302:
            assert role == "guest" and "/auth/login" in response.location
    assert "Secret plans" not in client.get("/").get_data(as_text=True)
    assert "Secret plans" not in client.get("/user/root").get_data(as_text=True)


def test_new_topic_preview_then_post(client: FlaskClient, world: World, auth: AuthActions) -> None:
    login_as(auth, world, "member")
    path = f"/forum/{world.forum_a}/new-topic"
    preview = post_form(
        client, path, title="My first topic", content="Some **bold** words", preview="1"
    )
    assert preview.status_code == 200
    assert "<strong>bold</strong>" in preview.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalar(select(Topic.id)) is None
    response = post_form(
        client, path, title="My first topic", content="Some **bold** words", submit="1"
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "My first topic" in page
    assert "<strong>bold</strong>" in page


def test_topic_title_and_content_are_required(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "member")
    page = post_form(client, f"/forum/{world.forum_a}/new-topic", title="", content="").get_data(
        as_text=True
    )
    assert "Give your topic a title." in page
    assert "Write a message." in page


def test_reply_quote_edit_and_delete(client: FlaskClient, world: World, auth: AuthActions) -> None:
    topic = world.topic("member2", content="Original *words*")
    login_as(auth, world, "member")
    first = _first_post(world, topic)
    quote_page = client.get(f"/topic/{topic}/reply?quote={first}").get_data(as_text=True)
    assert f"&gt; **[bob](/post/{first}) wrote:**" in quote_page
    response = post_form(client, f"/topic/{topic}/reply", content="I agree", submit="1")
    assert response.status_code == 302
    reply_id = int(response.location.rsplit("/", 1)[1])
    edit = post_form(client, f"/post/{reply_id}/edit", content="I fully agree", submit="1")
    assert edit.status_code == 302
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert "I fully agree" in page
    assert "Edited by alice" in page
    assert post_form(client, f"/post/{reply_id}/delete").status_code == 302
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    # Members never see deleted posts, not even a placeholder.
    assert f'id="post-{reply_id}"' not in page
    assert "I fully agree" not in page
    with world.app.app_context():
        stored_topic = db.session.get(Topic, topic)
        forum = db.session.get(Forum, world.forum_a)
        alice = db.session.get(User, world.users["member"])
        assert stored_topic is not None and forum is not None and alice is not None
        assert (stored_topic.post_count, forum.post_count, alice.post_count) == (1, 1, 0)


def _first_post(world: World, topic_id: int) -> int:
    with world.app.app_context():
        post_id = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic_id, Post.number == 1)
        )
    assert post_id is not None
    return post_id


def test_members_cannot_edit_others_posts(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2")
    login_as(auth, world, "member")
    post_id = _first_post(world, topic)
    assert client.get(f"/post/{post_id}/edit").status_code == 403
    assert (
        post_form(client, f"/post/{post_id}/edit", content="hijacked", submit="1").status_code
        == 403
    )


def test_permalink_goes_to_the_right_page_and_anchor(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["POSTS_PER_PAGE"] = 3
    topic = world.topic()
    posts = [world.reply(topic) for _ in range(7)]
    response = client.get(f"/post/{posts[-1]}")
    assert response.location == f"/topic/{topic}?page=3#post-{posts[-1]}"
    response = client.get(f"/post/{posts[0]}")
    assert response.location == f"/topic/{topic}#post-{posts[0]}"
    page = client.get(f"/topic/{topic}?page=3").get_data(as_text=True)
    assert f'id="post-{posts[-1]}"' in page
    assert 'aria-current="page">3<' in page


def test_slugs_after_ids_are_accepted(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="Hello world")
    assert client.get(f"/topic/{topic}-hello-world").status_code == 200
    assert client.get(f"/forum/{world.forum_a}-forum-a").status_code == 200


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999"])
def test_odd_page_numbers_are_clamped(client: FlaskClient, world: World, page: str) -> None:
    topic = world.topic()
    assert client.get(f"/topic/{topic}?page={page}").status_code == 200
    assert client.get(f"/forum/{world.forum_a}?page={page}").status_code == 200


def test_unread_markers_and_mark_read(client: FlaskClient, world: World, auth: AuthActions) -> None:
    login_as(auth, world, "member")
    topic = world.topic("member2", title="Fresh news")
    forum_page = client.get(f"/forum/{world.forum_a}").get_data(as_text=True)
    assert re.search(r"Fresh news</a>\s*<span class=\"badge\">new</span>", forum_page)
    client.get(f"/topic/{topic}")
    assert not re.search(
        r"Fresh news</a>\s*<span class=\"badge\">new</span>",
        client.get(f"/forum/{world.forum_a}").get_data(as_text=True),
    )
    world.reply(topic, "member2", "news again")
    assert re.search(
        r"Fresh news</a>\s*<span class=\"badge\">new</span>",
        client.get(f"/forum/{world.forum_a}").get_data(as_text=True),
    )
    assert post_form(client, f"/forum/{world.forum_a}/mark-read").status_code == 302
    assert 'badge">new' not in client.get(f"/forum/{world.forum_a}").get_data(as_text=True)
    world.topic("member2", forum=world.forum_b, title="Other news")
    assert 'badge">new' in client.get("/").get_data(as_text=True)
    assert post_form(client, "/mark-all-read").status_code == 302
    assert 'badge">new' not in client.get("/").get_data(as_text=True)


def test_atom_feeds_are_well_formed_and_escaped(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="<b>Tags</b> & ampersands", content="Body with <script>x</script>")
    world.reply(topic, content="second **post**")
    for path in (f"/forum/{world.forum_a}/feed.atom", f"/topic/{topic}/feed.atom"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.content_type.startswith("application/atom+xml")
        feed = ET.fromstring(response.get_data())
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        assert entries
        assert "<script>" not in response.get_data(as_text=True).replace("&lt;script&gt;", "")
    titles = [
        e.findtext("{http://www.w3.org/2005/Atom}title")
        for e in ET.fromstring(client.get(f"/forum/{world.forum_a}/feed.atom").get_data()).findall(
            "{http://www.w3.org/2005/Atom}entry"
        )
    ]
    assert titles == ["<b>Tags</b> & ampersands"]


def test_profile_shows_recent_activity(client: FlaskClient, world: World) -> None:
    topic = world.topic("member", title="Alice's topic")
    world.reply(topic, "member", "Alice again")
    page = client.get("/user/ALICE").get_data(as_text=True)
    assert "Alice&#39;s topic" in page
    assert "#2" in page
    assert client.get("/user/nobody").status_code == 404


def test_flood_control_has_a_clear_message(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    app.config["FORUM_POST_LIMIT"] = "2 per minute"
    topic = world.topic()
    login_as(auth, world, "member")
    for _ in range(2):
        assert (
            post_form(client, f"/topic/{topic}/reply", content="quick", submit="1").status_code
            == 302
        )
    # Previews have a budget of their own: a member who has posted their fill may still look.
    previewed = post_form(client, f"/topic/{topic}/reply", content="preview only", preview="1")
    assert previewed.status_code == 200
    response = post_form(client, f"/topic/{topic}/reply", content="too quick", submit="1")
    assert response.status_code == 429
    assert "You are posting too quickly" in response.get_data(as_text=True)


def test_first_unread_jumps_to_the_first_new_post(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    app.config["POSTS_PER_PAGE"] = 2
    login_as(auth, world, "member")
    topic = world.topic("member2")
    client.get(f"/topic/{topic}")  # reads post 1
    replies = [world.reply(topic, "member2") for _ in range(3)]
    response = client.get(f"/topic/{topic}/unread")
    assert response.location == f"/post/{replies[0]}"
    assert client.get(response.location).location == f"/topic/{topic}#post-{replies[0]}"
    client.get(f"/topic/{topic}?page=2")  # reads posts 3 and 4
    assert client.get(f"/topic/{topic}/unread").location == f"/post/{replies[2]}"


def test_category_page_lists_its_visible_forums(client: FlaskClient, world: World) -> None:
    with world.app.app_context():
        category_id = db.session.scalar(select(Forum.category_id).where(Forum.id == world.forum_a))
    page = client.get(f"/category/{category_id}-general").get_data(as_text=True)
    assert "Forum A" in page
    assert "Staff room" not in page
    assert client.get("/category/999").status_code == 404

"""Private messages through the real pages: conversations, the header's count, blocks,
preferences, reports, flood control, export and deletion."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.forum.authorship import DELETED_USER
from forumapp.messages.models import Conversation, Message, MessageReport
from tests.conftest import AuthActions, csrf_token, links_in
from tests.forum_world import World
from tests.functional.test_account_deletion import delete_account
from tests.functional.test_forum_query_counts import counted_queries
from tests.functional.test_management_settings import DEFAULTS as SETTINGS_FORM
from tests.functional.test_management_settings import save as save_settings

NEW = "/messages/new"


def send_new(
    client: FlaskClient, to: str, subject: str = "Hello", content: str = "Hi there", **extra: str
) -> Any:
    """Start a conversation through the form."""
    data = {
        "recipients": to,
        "subject": subject,
        "content": content,
        "csrf_token": csrf_token(client, NEW),
        **extra,
    }
    return client.post(NEW, data=data)


def reply(client: FlaskClient, conversation_id: int, content: str) -> Any:
    """Reply through the conversation page's form."""
    path = f"/messages/{conversation_id}"
    return client.post(path, data={"content": content, "csrf_token": csrf_token(client, path)})


def conversation_id(response: Any) -> int:
    match = re.search(r"/messages/(\d+)", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def post_to(client: FlaskClient, path: str, page: str | None = None) -> Any:
    """A POST of a confirm-only form found on ``page``."""
    return client.post(path, data={"csrf_token": csrf_token(client, page or path)})


def test_a_conversation_from_first_message_to_reply(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    auth.login("alice")
    sent = send_new(client, "bob", "Lunch", "Shall we **eat**?")
    assert sent.status_code == 302
    conversation = conversation_id(sent)
    assert "<strong>eat</strong>" in client.get(f"/messages/{conversation}").get_data(as_text=True)
    # Bob is told by email, with an absolute link built from EXTERNAL_URL.
    (email,) = outbox
    assert email.to == ["bob@example.org"] and "alice" in email.subject
    assert f"http://forum.test/messages/{conversation}" in links_in(email)
    auth.logout()
    auth.login("bob")
    header = client.get("/").get_data(as_text=True)
    assert re.search(r'id="messages-link">Messages <span class="badge"[^>]*>1</span>', header)
    inbox = client.get("/messages/").get_data(as_text=True)
    assert "Lunch" in inbox and 'class="unread"' in inbox
    client.get(f"/messages/{conversation}")
    assert 'aria-label="1 unread"' not in client.get("/").get_data(as_text=True)
    assert reply(client, conversation, "Yes!").status_code == 302
    assert [message.to for message in outbox] == [["bob@example.org"], ["alice@example.org"]]


@pytest.mark.parametrize("role", ["moderator", "admin", "member2"])
def test_a_conversation_i_am_not_in_is_a_404_even_for_staff(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    names = {"moderator": "mod_a", "admin": "root", "member2": "bob"}
    auth.login("alice")
    conversation = conversation_id(send_new(client, "mallory"))
    auth.logout()
    auth.login(names[role])
    path = f"/messages/{conversation}"
    assert client.get(path).status_code == 404
    token = csrf_token(client, NEW)
    assert client.post(path, data={"content": "hi", "csrf_token": token}).status_code == 404
    for action in ("archive", "mute", "leave"):
        response = client.post(f"{path}/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    with app.app_context():
        message = db.session.scalars(select(Message)).one()
    assert client.get(f"/messages/report/{message.id}").status_code == 404


def test_pages_need_a_login(client: FlaskClient) -> None:
    for path in ("/messages/", NEW, "/messages/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"to": "nobody"}, "recipients", "No member is called nobody."),
        ({"to": " , "}, "recipients", "Name at least one member to write to."),
        ({"content": ""}, "content", "Write a message."),
        ({"content": "   \u200b "}, "content", ""),
        ({"subject": "Hi\x07there"}, "subject", "control characters"),
        ({"content": "Hi\x00"}, "content", "control characters"),
        ({"to": "bob, root, mod_a"}, "recipients", "at most 3 participants"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_written(
    app: Flask,
    client: FlaskClient,
    world: World,
    auth: AuthActions,
    outbox: list[Any],
    fields: dict[str, str],
    field: str,
    error: str,
) -> None:
    app.config["MESSAGES_MAX_PARTICIPANTS"] = 3
    auth.login("alice")
    values = {"to": "bob", "subject": "Hello", "content": "Hi there", **fields}
    response = send_new(client, values["to"], values["subject"], values["content"])
    assert response.status_code in (200, 422)
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and error in page
    assert count(app, Conversation) == count(app, Message) == 0
    assert outbox == []


def test_messaging_a_member_who_blocked_you_is_refused(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("bob")
    assert post_to(client, "/user/alice/block", "/user/alice").status_code == 302
    auth.logout()
    auth.login("alice")
    response = send_new(client, "bob")
    assert response.status_code == 422
    assert "bob does not accept messages from you" in response.get_data(as_text=True)
    assert count(app, Conversation) == 0


def test_blocked_members_posts_are_folded_away_for_the_blocker_only(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2", content="Words of bob")
    auth.login("alice")
    profile = client.get("/user/bob").get_data(as_text=True)
    assert 'href="/messages/new?to=bob"' in profile and ">Block</button>" in profile
    post_to(client, "/user/bob/block", "/user/bob")
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert "<summary>Post by a member you blocked</summary>" in page
    assert "Words of bob" in page  # folded, not removed
    profile = client.get("/user/bob").get_data(as_text=True)
    assert ">Unblock</button>" in profile and "/messages/new?to=bob" not in profile
    post_to(client, "/user/bob/unblock", "/user/bob")
    assert "member you blocked" not in client.get(f"/topic/{topic}").get_data(as_text=True)
    auth.logout()
    assert "member you blocked" not in client.get(f"/topic/{topic}").get_data(as_text=True)


def save_preferences(client: FlaskClient, **choices: str) -> Any:
    data = {
        "language": "en",
        "timezone": "UTC",
        "posts_per_page": "",
        "notify_new_sign_in": "y",
        "csrf_token": csrf_token(client, "/settings/preferences"),
        **choices,
    }
    return client.post("/settings/preferences", data=data)


def test_members_who_turn_messages_off_hear_from_staff_only(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    auth.login("bob")
    # Unticked boxes: no messages from members, and no emails.
    assert save_preferences(client).status_code == 302
    auth.logout()
    auth.login("alice")
    response = send_new(client, "bob")
    assert response.status_code == 422 and "staff only" in response.get_data(as_text=True)
    auth.logout()
    auth.login("mod_a")
    assert send_new(client, "bob").status_code == 302
    assert outbox == []


def test_new_members_cannot_start_conversations(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("root")
    settings = {**SETTINGS_FORM, "MESSAGES_MIN_POSTS": "3", "MESSAGES_MIN_ACCOUNT_DAYS": "0"}
    assert save_settings(client, **settings).status_code == 302
    auth.logout()
    auth.login("alice")
    response = send_new(client, "bob")
    assert response.status_code == 403
    assert "written 3 posts" in response.get_data(as_text=True)
    assert count(app, Conversation) == 0
    auth.logout()
    auth.login("root")
    assert send_new(client, "bob").status_code == 302


def test_messages_share_the_posting_budget_and_conversations_have_a_quota(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    app.config.update(FORUM_POST_LIMIT="2 per minute", MESSAGES_CONVERSATION_LIMIT="1 per day")
    topic = world.topic("member2")
    auth.login("alice")
    conversation = conversation_id(send_new(client, "bob"))
    path = f"/topic/{topic}/reply"
    token = csrf_token(client, path)
    assert client.post(path, data={"content": "A post", "csrf_token": token}).status_code == 302
    refused = reply(client, conversation, "One too many")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert count(app, Message) == 1
    quota = send_new(client, "root")
    assert quota.status_code == 429 and "started many conversations" in quota.get_data(as_text=True)
    assert count(app, Conversation) == 1


def test_a_reported_message_and_only_it_reaches_the_moderators(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    conversation = conversation_id(send_new(client, "bob", "Deal", "Buy my pills"))
    reply(client, conversation, "Private words")
    auth.logout()
    auth.login("bob")
    with app.app_context():
        first = db.session.scalars(select(Message).order_by(Message.id)).first()
    assert first is not None
    path = f"/messages/report/{first.id}"
    response = client.post(path, data={"reason": "Spam", "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302 and count(app, MessageReport) == 1
    auth.logout()
    auth.login("root")
    queue = client.get("/admin/reports/messages")
    assert queue.status_code == 200
    page = queue.get_data(as_text=True)
    assert "Buy my pills" in page and "Spam" in page and "Private words" not in page
    assert client.get(f"/messages/{conversation}").status_code == 404


def test_export_holds_the_members_messages(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    send_new(client, "bob", "Plans", "My own words")
    token = csrf_token(client, "/settings/export")
    response = client.post("/settings/export", data={"csrf_token": token})
    assert response.status_code == 200
    document = json.loads(response.get_data(as_text=True))
    assert [m["markdown"] for m in document["messages"]] == ["My own words"]
    assert [c["subject"] for c in document["conversations"]] == ["Plans"]


def test_deleting_an_account_keeps_the_others_copies(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    conversation = conversation_id(send_new(client, "bob", "Plans", "Words of alice"))
    assert delete_account(client).status_code == 302
    assert count(app, Message) == 1
    assert count(app, Conversation) == 1
    auth.login("bob")
    page = client.get(f"/messages/{conversation}").get_data(as_text=True)
    assert "Words of alice" in page and DELETED_USER in page


def test_boxes_archive_mute_and_leave(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    conversation = conversation_id(send_new(client, "bob", "Plans"))
    path = f"/messages/{conversation}"
    assert "Plans" in client.get("/messages/?box=sent").get_data(as_text=True)
    post_to(client, f"{path}/archive", path)
    assert "Plans" not in client.get("/messages/").get_data(as_text=True)
    assert "Plans" in client.get("/messages/?box=archived").get_data(as_text=True)
    post_to(client, f"{path}/unarchive", path)
    post_to(client, f"{path}/mute", path)
    assert "muted" in client.get("/messages/").get_data(as_text=True)
    assert client.get(f"{path}/leave").status_code == 200
    post_to(client, f"{path}/leave")
    assert client.get(path).status_code == 404
    assert "Plans" not in client.get("/messages/?box=sent").get_data(as_text=True)


def test_the_starter_adds_a_participant(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    conversation = conversation_id(send_new(client, "bob"))
    path = f"/messages/{conversation}"
    token = csrf_token(client, path)
    client.post(f"{path}/participants", data={"username": "nobody", "csrf_token": token})
    assert "No member is called nobody." in client.get(path).get_data(as_text=True)
    client.post(f"{path}/participants", data={"username": "mod_b", "csrf_token": token})
    auth.logout()
    auth.login("mod_b")
    assert client.get(path).status_code == 200


def test_inbox_and_conversation_pages_take_a_fixed_number_of_queries(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    app.config.update(MESSAGES_PER_PAGE=5, FORUM_POST_LIMIT="1000 per minute")
    auth.login("alice")

    def grow(conversations: int, replies: int) -> int:
        last = 0
        for _ in range(conversations):
            last = conversation_id(send_new(client, "bob, mod_a, root"))
            for n in range(replies):
                reply(client, last, f"reply {n}")
        return last

    def queries(path: str) -> int:
        client.get(path)
        with counted_queries(app) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    last = grow(1, 1)
    small = {"inbox": queries("/messages/"), "conversation": queries(f"/messages/{last}?page=1")}
    last = grow(8, 7)
    large = {"inbox": queries("/messages/"), "conversation": queries(f"/messages/{last}?page=2")}
    assert small == large


def test_the_header_count_costs_a_forum_page_one_query(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member2")
    auth.login("alice")
    for path in ("/", f"/topic/{topic}", f"/forum/{world.forum_a}"):
        client.get(path)
        with counted_queries(app) as statements:
            client.get(path)
        ours = [s for s in statements if "conversation_participants" in s or "user_blocks" in s]
        # The unread count and the blocked members come together in one statement.
        assert len(ours) == 1, (path, ours)

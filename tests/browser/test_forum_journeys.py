"""Forum journeys in a real browser, with real emails over SMTP: a newcomer goes from the
registration form to an edited Markdown reply, and a moderator locks a topic while a
member is writing a reply to it. Every page on the way is checked with axe-core."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import Post, Topic
from tests.conftest import PASSWORD
from tests.forum_world import World
from tests.smtp import SmtpSink

if TYPE_CHECKING:
    from tests.browser.browsing import Browser
    from tests.browser.conftest import LaunchBrowser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

USERNAME = "carol"
EMAIL = "carol@example.org"
TOPIC_TITLE = "Hello from carol"
TOPIC_TEXT = "Happy to be here. Who else *paddles* on weekends?"
REPLY = "Answering myself: the club meets on\n\n- Saturdays\n- Sundays, when it is dry"
EDITED_REPLY = (
    "Answering myself: the club meets on **Saturdays** at `9:00`.\n\n"
    "> Bring your own paddle.\n\n"
    "<img src=x onerror=\"document.title='pwned'\">"
)


def test_newcomer_registers_activates_posts_and_edits_a_markdown_reply(
    browser: Browser, smtp_sink: SmtpSink, world: World
) -> None:
    web = browser
    web.open("/")
    web.follow("Register", within="header")
    web.expect_text("h1", "Create an account")

    # A typo in the confirmation first: the form says what is wrong and where.
    web.type("username", USERNAME)
    web.type("email", EMAIL)
    web.type("password", PASSWORD)
    web.type("confirm_password", PASSWORD + "!")
    web.tick("accept_tos")
    web.submit()
    web.expect_text(".form-errors", "Please correct the following")
    assert web.field("confirm_password").get_attribute("aria-invalid") == "true"

    web.type("password", PASSWORD)
    web.type("confirm_password", PASSWORD)
    web.tick("accept_tos")
    web.submit()
    web.expect_path("/auth/login")
    web.expect_text(".flashes", f"We have sent an email to {EMAIL}")

    # Activate from the link in the email, then log in with the email address.
    activation_link = smtp_sink.wait_for_link(EMAIL, web.base_url + "/auth/activate/confirm/")
    web.open(activation_link)
    web.expect_path("/auth/login")
    web.expect_text(".flashes", "Your account is activated")
    web.log_in(EMAIL, PASSWORD)
    web.expect_path("/")
    web.expect_logged_in(USERNAME)

    # A new topic in Forum A.
    web.follow("Forum A")
    web.follow("New topic")
    web.expect_text("h1", "New topic in Forum A")
    web.type("title", TOPIC_TITLE)
    web.type("content", TOPIC_TEXT)
    web.submit(button="Post topic")
    web.expect_text(".flashes", "Your topic is posted.")
    web.expect_text("h1", TOPIC_TITLE)
    assert web.text("article.post .post-body em") == "paddles"

    # A Markdown reply from the form under the topic.
    reply_form = web.find("main form[action$='/reply']")
    web.type("content", REPLY)
    web.submit(reply_form, button="Post reply")
    web.expect_text(".flashes", "Your reply is posted.")
    post_id = reply_id(world, TOPIC_TITLE)
    reply = f"#post-{post_id}"
    assert web.driver.execute_script("return location.hash") == reply
    items = web.find_all(f"{reply} .post-body li")
    assert [item.text for item in items] == ["Saturdays", "Sundays, when it is dry"]

    # Edit it: the preview shows the Markdown rendered, then the topic does.
    web.follow("Edit", within=reply)
    web.expect_text("h1", "Edit post #2")
    web.type("content", EDITED_REPLY)
    web.submit(button="Preview")
    web.expect_text(".preview .post-body strong", "Saturdays")
    assert web.field("content").get_attribute("value") == EDITED_REPLY
    web.submit(button="Save changes")
    web.expect_text(".flashes", "Your changes are saved.")
    body = f"{reply} .post-body"
    assert web.text(f"{body} strong") == "Saturdays"
    assert web.text(f"{body} code") == "9:00"
    assert web.text(f"{body} blockquote") == "Bring your own paddle."
    assert "**" not in web.text(body)
    assert "<strong>Saturdays</strong>" in str(web.find(body).get_attribute("innerHTML"))
    # Raw HTML in a post is never markup: no handler ran, none is on the page.
    assert not web.has("main [onerror]")
    assert "pwned" not in web.driver.title
    web.expect_text(reply, f"Edited by {USERNAME}")

    web.log_out()


def reply_id(world: World, title: str) -> int:
    """The id of the second post of the topic called ``title``."""
    with world.app.app_context():
        post_id = db.session.scalar(
            select(Post.id).join(Topic, Post.topic_id == Topic.id).where(Topic.title == title)
            .order_by(Post.id.desc()).limit(1)
        )  # fmt: skip
    assert post_id is not None
    return post_id


def test_moderator_locks_a_topic_and_the_member_can_no_longer_reply(
    launch_browser: LaunchBrowser, world: World
) -> None:
    topic_id = world.topic("member2", title="Is the river open for kayaks?", content="Anyone?")
    topic = f"/topic/{topic_id}"

    # The member opens the topic and starts writing a reply.
    member = launch_browser("member")
    member.open("/auth/login")
    member.log_in("alice", PASSWORD)
    member.expect_logged_in("alice")
    member.open(topic)
    assert not member.has(".moderation-bar")
    reply_form = member.find(f"main form[action='{topic}/reply']")
    member.type("content", "Yes, since Monday.")

    # Meanwhile, in the moderator's own browser: "Lock" in the topic's moderation bar.
    moderator = launch_browser("moderator")
    moderator.open("/auth/login")
    moderator.log_in("mod_a", PASSWORD)
    moderator.expect_logged_in("mod_a")
    moderator.open(topic)
    bar = moderator.find("main form.moderation-bar")
    moderator.submit(bar, button="Lock")
    moderator.expect_path(topic)
    moderator.expect_text(".flashes", "1 topic locked.")
    assert "locked" in moderator.text(".page-head").lower()
    assert "Unlock" in moderator.text(".moderation-bar")

    # The member sends the reply written before the lock: refused.
    member.submit(reply_form, button="Post reply")
    assert member.status == 403
    member.expect_text("h1", "Not allowed")
    member.expect_text(".error-page", "You cannot reply to this topic.")

    # Back on the topic: no reply form, no quote links, and the reply URL answers 403.
    member.open(topic)
    member.expect_text("main", "This topic is locked.")
    assert "locked" in member.text(".page-head").lower()
    assert not member.has("main textarea")
    assert not member.has(f"form[action='{topic}/reply']")
    assert not member.links("Quote")
    assert member.fetch_status(f"{topic}/reply") == 403
    member.open(f"{topic}/reply")
    assert member.status == 403
    member.expect_text(".error-page", "You cannot reply to this topic.")

    with world.app.app_context():
        locked = db.session.get(Topic, topic_id)
        assert locked is not None
        assert locked.locked
        assert locked.reply_count == 0


def test_admin_bans_a_member_whose_open_session_ends_at_once(
    launch_browser: LaunchBrowser, world: World
) -> None:
    # The member is reading the forum, logged in.
    member = launch_browser("member")
    member.open("/auth/login")
    member.log_in("alice", PASSWORD)
    member.expect_logged_in("alice")

    # The admin finds her in the panel and bans her, with a reason.
    admin = launch_browser("admin")
    admin.open("/auth/login")
    admin.log_in("root", PASSWORD)
    admin.expect_logged_in("root")
    admin.open("/admin/users?q=alice")
    admin.expect_text("h1", "Members")
    admin.follow("Ban", within="main table")
    admin.expect_text("h1", "Ban alice?")
    admin.type("reason", "Spam in three forums")
    admin.submit(admin.find("main form"), button="Ban")
    admin.expect_text(".flashes", "alice is banned and logged out everywhere.")

    # Her very next page is a guest's, and she cannot log back in.
    member.open("/")
    member.expect_logged_out()
    member.open("/auth/login")
    member.log_in("alice", PASSWORD)
    member.expect_text(".form-errors", "This account is banned.")

    # The ban is on record.
    admin.open("/admin/audit")
    admin.expect_text("main table", "user.ban")
    admin.expect_text("main table", "Spam in three forums")

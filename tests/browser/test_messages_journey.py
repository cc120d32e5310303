"""A private conversation in two real browsers: Alice writes to Bob from his profile, Bob
sees the count in the header, opens the conversation from the email's link and replies,
and Alice is emailed in turn (mail through the real SMTP sink). Every page on the way is
checked with axe-core."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD
from tests.forum_world import World

if TYPE_CHECKING:
    from tests.browser.conftest import LaunchBrowser
    from tests.smtp import SmtpSink

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

SUBJECT = "Saturday's walk"


def test_a_member_messages_another_who_reads_and_replies(
    launch_browser: LaunchBrowser, smtp_sink: SmtpSink, world: World
) -> None:
    alice = launch_browser("alice")
    alice.open("/auth/login")
    alice.log_in("alice", PASSWORD)
    alice.open("/user/bob")
    alice.follow("Message", within="main")
    alice.expect_text("h1", "New conversation")
    assert alice.field("recipients").get_attribute("value") == "bob"
    alice.type("subject", SUBJECT)
    alice.type("content", "Shall we meet at **nine**?")
    alice.submit(button="Preview")
    alice.expect_text(".preview", "nine")
    alice.submit(button="Send")
    alice.expect_text(".flashes", "Your message is sent.")
    alice.expect_text("h1", SUBJECT)

    bob = launch_browser("bob")
    bob.open("/auth/login")
    bob.log_in("bob", PASSWORD)
    # A badge beside the word: the header's links lay out their parts as flex items.
    bob.expect_text("#messages-link .badge", "1")
    link = smtp_sink.wait_for_link("bob@example.org", bob.base_url + "/messages/")
    bob.open(link)
    bob.expect_text("h1", SUBJECT)
    assert bob.has("#first-unread")
    assert bob.text("#messages-link") == "Messages"  # read now: no count left
    bob.type("content", "Nine is fine.")
    bob.submit(bob.find("form[action$='#reply-title']"), button="Send reply")
    bob.expect_text(".flashes", "Your reply is sent.")

    reply_link = smtp_sink.wait_for_link("alice@example.org", alice.base_url + "/messages/")
    alice.open(reply_link)
    alice.expect_text("main", "Nine is fine.")

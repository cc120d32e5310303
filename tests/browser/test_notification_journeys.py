"""Notifications in a real browser: a member watches a topic from its page, another
member replies twice, the bell counts one line that names both replies, opening it leads
to the post, and the email settings are saved. Every page on the way is checked with
axe-core (the bell, the watch control and the settings page included)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.browsing import replaced
from tests.browser.test_account_journeys import logged_in, settings_page
from tests.forum_world import World

if TYPE_CHECKING:
    from tests.browser.conftest import LaunchBrowser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")


def test_a_watched_topic_rings_the_bell_and_the_line_leads_to_the_post(
    launch_browser: LaunchBrowser, world: World
) -> None:
    topic = world.topic("member2", title="Kayak routes", content="Where do you paddle?")
    alice = launch_browser("alice")
    logged_in(alice, "alice")
    alice.open(f"/topic/{topic}")
    alice.choose("level", "watching")
    alice.submit(alice.find("form.watch-form"), button="Save")
    alice.expect_text(".flashes", "You are watching it")

    bob = launch_browser("bob")
    logged_in(bob, "bob")
    for text in ("The lake at dawn.", "Or the river, in spring."):
        bob.open(f"/topic/{topic}/reply")
        bob.type("content", text)
        bob.submit(button="Post reply")

    alice.open("/")
    # The count is a badge beside the word (the header's links lay out their parts as
    # flex items), and in the link's accessible name.
    alice.expect_text("header .bell .badge", "1")
    bell = alice.find("header .bell")
    assert bell.get_attribute("aria-label") == "Notifications, 1 unread"
    bell.click()
    alice.until(replaced(bell), "the notifications page")
    alice.arrived()
    alice.expect_text("main", "bob and 1 other reply in “Kayak routes”")
    alice.follow("bob and 1 other reply in “Kayak routes”", within="main")
    assert alice.path.startswith(f"/topic/{topic}")
    alice.expect_text("main", "The lake at dawn.")
    assert not alice.has("header .bell-unread")

    settings_page(alice, "Notifications")
    alice.choose("email_reply", "weekly")
    alice.submit(button="Save notification settings")
    alice.expect_text(".flashes", "Your notification settings are saved.")
    assert alice.field("email_reply").get_attribute("value") == "weekly"

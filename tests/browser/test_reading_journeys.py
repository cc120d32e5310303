"""Reading in a real browser: a member finds a topic with new replies on /unread, jumps
to the first post they have not read, and the topic leaves /unread; the member list on
the way. Every page is checked with axe-core (/unread and /members among them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.browsing import replaced
from tests.conftest import PASSWORD
from tests.forum_world import World

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

TITLE = "Which river is best in spring?"


def test_member_jumps_to_the_first_unread_post_and_the_topic_leaves_unread(
    browser: Browser, world: World
) -> None:
    web = browser
    topic = world.topic("member2", title=TITLE, content="I would say the Wye.")
    web.open("/auth/login")
    web.log_in("alice", PASSWORD)
    web.expect_logged_in("alice")

    # alice reads the topic as it is; then bob writes two more posts.
    web.open(f"/topic/{topic}")
    web.expect_text("h1", TITLE)
    first_new = world.reply(topic, "member2", content="Or the Usk, after rain.")
    world.reply(topic, "member2", content="Both, really.")

    web.follow("Unread", within="header")
    web.expect_path("/unread")
    web.expect_text("main table", TITLE)
    jump = web.find("main table a.jump-unread")
    jump.click()
    web.until(replaced(jump), "the topic behind 'Jump to first unread'")
    web.arrived()
    # The permalink of the first post alice has not read: its page, at its anchor.
    web.expect_path(f"/topic/{topic}#post-{first_new}")
    web.expect_text(f"#post-{first_new} .post-body", "Or the Usk, after rain.")

    web.follow("Unread", within="header")
    web.expect_text("main table", "Nothing unread")

    web.follow("Members", within="header")
    web.expect_path("/members")
    web.choose("sort", "posts")
    web.choose("order", "desc")
    web.submit()
    names = [cell.text.strip() for cell in web.find_all("main tbody td:first-child")]
    assert names[0] == "bob"

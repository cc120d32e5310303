"""Search in a real browser: from the header box on any page, narrowed down with a filter,
to the post a result links to. Every page on the way is checked with axe-core."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from selenium.webdriver.common.by import By

from tests.forum_world import World

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")


def test_a_reader_searches_from_the_header_narrows_it_to_a_forum_and_opens_a_result(
    browser: Browser, world: World
) -> None:
    world.topic(forum=world.forum_a, title="Kayak repairs", content="Patch the hull with epoxy.")
    world.topic(forum=world.forum_b, title="Canoe care", content="Epoxy works on canoes too.")
    web = browser
    web.open("/")

    header_box = web.find("header form[role=search]")
    header_box.find_element(By.NAME, "q").send_keys("epoxy")
    web.submit(header_box)
    web.expect_text("#results-title", "2 results for “epoxy”")
    marks = [mark.text for mark in web.find_all(".search-results mark")]
    assert [word.lower() for word in marks] == ["epoxy", "epoxy"]

    # The results page's own form keeps the words and adds a filter.
    assert (
        web.find("main form[role=search]").find_element(By.NAME, "q").get_attribute("value")
        == "epoxy"
    )
    web.choose("forum", str(world.forum_a))
    web.submit()
    web.expect_text("#results-title", "1 result for “epoxy”")
    assert web.find("#forum option:checked").text == "Forum A"

    web.follow("Kayak repairs", within=".search-results")
    web.expect_text("h1", "Kayak repairs")
    assert web.path.startswith("/topic/")

"""The look in a real browser: the main pages pass axe-core in the light and the dark
theme, at desktop and phone widths; on a phone the header folds into a menu that opens
without JavaScript, and the controls are big enough to tap.

Chromium emulates the system's colour preference through the DevTools protocol
(``Emulation.setEmulatedMedia``) and a phone's screen through
``Emulation.setDeviceMetricsOverride``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.conftest import PASSWORD
from tests.forum_world import World

if TYPE_CHECKING:
    from selenium.webdriver.remote.webelement import WebElement

    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
#: WCAG 2.5.5 (AAA): 44 by 44 CSS pixels.
TAP_SIZE = 44
CODE_POST = "Here is code:\n\n```python\ndef greet(name):\n    return f'Hello {name}'\n```\n"


def emulate(web: Browser, scheme: str, screen: dict[str, object]) -> None:
    """Make Chromium prefer ``scheme`` ("light" or "dark") on ``screen``."""
    web.driver.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    web.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", screen)  # type: ignore[attr-defined]


def main_pages(world: World, topic: int) -> list[str]:
    return [
        "/",
        "/category/1",
        f"/forum/{world.forum_a}",
        f"/topic/{topic}",
        "/user/alice",
        "/search?q=greet",
        "/feeds",
        "/auth/login",
        "/auth/register",
    ]


def shown(web: Browser, element: WebElement) -> bool:
    """Whether ``element`` is rendered. (Selenium's ``is_displayed`` treats everything in a
    closed ``<details>`` as hidden, whatever the stylesheet says.)"""
    return bool(web.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return arguments[0].checkVisibility() && r.width > 0 && r.height > 0", element
    ))  # fmt: skip


def background_of(web: Browser, css: str) -> str:
    return str(web.driver.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor", css
    ))  # fmt: skip


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_main_pages_pass_axe_in_both_themes_and_widths(
    browser: Browser, app: Flask, world: World, scheme: str, screen: str
) -> None:
    topic = world.topic(content=CODE_POST)
    world.reply(topic, "member2", "A reply with `inline code` and > a quote")
    emulate(browser, scheme, PHONE if screen == "phone" else DESKTOP)
    for path in main_pages(world, topic):
        browser.open(path)
    # The theme really changed: a dark page on a dark background, code blocks included.
    body = background_of(browser, "body")
    assert (body == "rgb(17, 20, 24)") is (scheme == "dark"), body
    browser.open(f"/topic/{topic}")
    code = background_of(browser, "pre")
    assert (code == "rgb(29, 35, 49)") is (scheme == "dark"), code
    assert browser.find("pre .k").value_of_css_property("color") != browser.find(
        "pre .nf"
    ).value_of_css_property("color")
    assert len(browser.axe.pages) == len(main_pages(world, topic)) + 1


def test_a_members_dark_choice_wins_over_a_light_system(
    browser: Browser, app: Flask, world: World
) -> None:
    emulate(browser, "light", DESKTOP)
    browser.open("/auth/login")
    browser.log_in("alice", PASSWORD)
    browser.open("/settings/preferences")
    browser.choose("theme", "dark")
    browser.submit()
    browser.expect_text(".flashes", "Your preferences are saved.")
    assert browser.find("html").get_attribute("data-theme") == "dark"
    assert background_of(browser, "body") == "rgb(17, 20, 24)"
    browser.open("/settings/security")  # a settings page in dark, scanned by axe
    emulate(browser, "dark", DESKTOP)
    browser.open("/settings/preferences")
    browser.choose("theme", "light")
    browser.submit()
    assert background_of(browser, "body") != "rgb(17, 20, 24)"


def test_on_a_phone_the_header_folds_into_a_menu_that_opens_without_javascript(
    browser: Browser, world: World
) -> None:
    emulate(browser, "light", PHONE)
    browser.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})  # type: ignore[attr-defined]
    try:
        browser.driver.get(browser.base_url + "/")
        login = browser.find('header nav a[href="/auth/login"]')
        assert not shown(browser, login)
        menu = browser.find("header summary")
        assert menu.text == "Menu"
        menu.click()
        assert shown(browser, login)
        assert browser.find("header details").get_attribute("open") is not None
        menu.click()  # and closes again
        assert not shown(browser, login)
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})  # type: ignore[attr-defined]
    # On a desktop screen there is no menu button: the links show.
    emulate(browser, "light", DESKTOP)
    browser.open("/")
    assert not browser.find("header summary").is_displayed()
    assert shown(browser, browser.find('header nav a[href="/auth/login"]'))


def test_on_a_phone_controls_are_big_enough_to_tap(
    browser: Browser, app: Flask, world: World
) -> None:
    app.config["POSTS_PER_PAGE"] = 2
    topic = world.topic(content=CODE_POST)
    for n in range(4):
        world.reply(topic, "member2", f"Reply {n}")
    emulate(browser, "light", PHONE)
    browser.open("/auth/login")
    browser.log_in("alice", PASSWORD)
    browser.open(f"/topic/{topic}")
    browser.find("header summary").click()
    targets = browser.find_all(
        "header summary, header nav a, header nav button, .pagination a, .pagination span,"
        " .post-actions a, main .button, main input:not([type=hidden]), main select"
    )
    assert len(targets) >= 10
    small = []
    for target in targets:
        if shown(browser, target):
            size = target.size
            if size["height"] < TAP_SIZE:
                small.append(f"{target.tag_name} {target.text!r}: {size}")
    assert not small, small
    # Listings keep their column names as labels.
    browser.open(f"/forum/{world.forum_a}")
    label = browser.driver.execute_script(
        "return getComputedStyle(document.querySelector('.listing td.num'), '::before').content"
    )
    assert label == '"Replies: "'

"""Account journeys in a real browser: a password change that logs the member's other
browser out, two-factor login set up with an authenticator (pyotp) and then used, an
uploaded avatar on the member's reply and in the header, and a display name and time zone
that the forum pages follow. Every page on the way is checked with axe-core, the settings
pages included.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pyotp
import pytest
from PIL import Image
from sqlalchemy import select

from forumapp.auth.second_factor.totp import STEP_SECONDS
from forumapp.auth.services import WRONG_CREDENTIALS
from forumapp.avatars.service import file_name
from forumapp.extensions import db
from forumapp.localtime import in_full, locale_of
from forumapp.users.models import User
from tests.conftest import PASSWORD
from tests.forum_world import World

if TYPE_CHECKING:
    from selenium.webdriver.remote.webelement import WebElement

    from tests.browser.browsing import Browser
    from tests.browser.conftest import LaunchBrowser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

NEW_PASSWORD = "kayaks on a quiet river at dawn"
#: A zone far from the site's default (UTC), with a quarter-hour offset no rounding hides.
TIME_ZONE = "Asia/Kathmandu"
DISPLAY_NAME = "Alice Liddell"
#: The uploaded picture's colour, and how far from it the re-encoded WebP may drift.
AVATAR_RGB = (220, 20, 60)
COLOUR_TOLERANCE = 24

#: The picture ``arguments[0]`` once it has loaded: its natural width and the colour of
#: its centre pixel, read back through a canvas (the image is on the page's own origin).
_SHOWN_PICTURE = """
const image = arguments[0];
const done = arguments[arguments.length - 1];
const measure = () => {
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const centre = context.getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data;
  done({width: image.naturalWidth, rgb: [centre[0], centre[1], centre[2]]});
};
image.scrollIntoView();
if (image.complete && image.naturalWidth) { measure(); }
else { image.addEventListener("load", measure, {once: true}); }
"""


@pytest.fixture
def config_overrides(config_overrides: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The browser tests' configuration, with uploads kept in the test's own folder."""
    return {**config_overrides, "STORAGE_URL": str(tmp_path / "uploads")}


def logged_in(web: Browser, username: str, *, remember: bool = False) -> None:
    """Log ``username`` in from the login page, with the test password."""
    web.open("/auth/login")
    web.log_in(username, PASSWORD, remember=remember)
    web.expect_logged_in(username)


def settings_page(web: Browser, label: str) -> None:
    """Go to the settings page called ``label``: the header's "Settings", then the menu."""
    web.follow("Settings", within="header nav")
    web.follow(label, within="nav.settings-menu")
    web.expect_text("h1", label)


def device_rows(web: Browser) -> list[WebElement]:
    """The rows of the sessions page's table of logged-in devices."""
    return web.find_all("main table.listing tbody tr")


def test_changing_the_password_logs_the_other_browser_out(
    launch_browser: LaunchBrowser, world: World
) -> None:
    # Days ago, on the phone, with "keep me logged in".
    phone = launch_browser("phone")
    logged_in(phone, "alice", remember=True)

    # Now, on the laptop: the login is fresh, so the password page asks for nothing more.
    laptop = launch_browser("laptop")
    logged_in(laptop, "alice")
    settings_page(laptop, "Sessions")
    assert len(device_rows(laptop)) == 2
    settings_page(laptop, "Password")
    laptop.expect_path("/settings/password")
    laptop.type("current_password", PASSWORD)
    laptop.type("password", NEW_PASSWORD)
    laptop.type("confirm_password", NEW_PASSWORD)
    laptop.submit(button="Change password")
    laptop.expect_path("/settings/password")
    laptop.expect_text(".flashes", "Your password is changed. Every other device is logged out")
    laptop.expect_logged_in("alice")
    settings_page(laptop, "Sessions")
    devices = device_rows(laptop)
    assert len(devices) == 1
    assert devices[0].get_attribute("aria-current") == "true"  # "This device"

    # The phone's very next page is a guest's: neither its session cookie nor its
    # "keep me logged in" cookie still names a session.
    assert phone.driver.get_cookie("forumapp_remember") is not None
    phone.open("/")
    phone.expect_logged_out()
    phone.follow("Log in", within="header")
    phone.log_in("alice", PASSWORD)
    phone.expect_text(".form-errors", str(WRONG_CREDENTIALS))
    phone.log_in("alice", NEW_PASSWORD)
    phone.expect_logged_in("alice")


def test_member_sets_up_two_factor_login_and_logs_in_with_a_code(
    browser: Browser, world: World
) -> None:
    web = browser
    logged_in(web, "alice")
    settings_page(web, "Security")
    web.expect_text("#two-factor-title + p", "Off:")
    web.follow("Set up an authenticator app")
    web.expect_text("h1", "Set up an authenticator app")
    assert web.has(".qr-code-frame svg")

    # The phone's app reads the key shown next to the QR code and makes a code.
    authenticator = pyotp.TOTP(str(web.find("#totp-secret").get_attribute("value")))
    web.type("code", authenticator.now())
    web.submit(button="Turn on two-factor login")
    web.expect_text("h1", "Your recovery codes")
    web.expect_text(".flashes", "Two-factor login is on.")
    codes = [str(code.text) for code in web.find_all(".recovery-codes code")]
    assert len(set(codes)) == len(codes) == 10
    web.follow("I have saved my codes")
    web.expect_text("#two-factor-title + p", "On since")
    web.log_out()

    # The password alone no longer logs in: the two-factor page asks for a code first.
    web.follow("Log in", within="header")
    web.log_in("alice", PASSWORD)
    web.until(lambda _: web.path.startswith("/auth/two-factor"), "the two-factor page")
    web.expect_text("h1", "Two-factor login")
    assert "Logged in as" not in web.text("header")
    # The code used to confirm the set-up is spent, and so is its 30-second step: the app's
    # next code is one step ahead of now, which is still accepted.
    web.type("code", authenticator.at(time.time() + STEP_SECONDS))
    web.submit()
    web.expect_logged_in("alice")
    assert not web.path.startswith("/auth/")


def test_uploaded_avatar_shows_on_the_members_reply_and_in_the_header(
    browser: Browser, world: World, tmp_path: Path
) -> None:
    topic_id = world.topic("member2", title="Show us your boats", content="Pictures welcome.")
    picture = tmp_path / "crimson.png"
    Image.new("RGB", (96, 96), AVATAR_RGB).save(picture)
    web = browser
    logged_in(web, "alice")
    assert "/avatars/" in header_avatar(web) and header_avatar(web).endswith(".svg")

    settings_page(web, "Avatar")
    web.field("image").send_keys(str(picture))
    web.submit(button="Upload")
    web.expect_path("/settings/avatar")
    web.expect_text(".flashes", "Your new avatar is in place.")
    stored = uploaded_avatar(world, "alice")
    assert header_avatar(web) == stored(32)

    web.open(f"/topic/{topic_id}")
    web.type("content", "Mine is the red one.")
    web.submit(web.find("main form[action$='/reply']"), button="Post reply")
    web.expect_text(".flashes", "Your reply is posted.")
    reply = web.find(f"{web.driver.execute_script('return location.hash')} .post-head img")
    assert reply.get_attribute("src") == stored(64)
    width, colour = shown_picture(web, reply)
    assert width == 64
    assert near(colour, AVATAR_RGB), colour
    assert header_avatar(web) == stored(32)


def header_avatar(web: Browser) -> str:
    """The address of the avatar next to "Logged in as" in the header."""
    return str(web.find("header .signed-in img.avatar").get_attribute("src"))


def uploaded_avatar(world: World, username: str) -> Callable[[int], str]:
    """The address of ``username``'s stored avatar of a given size, on the live server."""
    with world.app.app_context():
        user_id, key = db.session.execute(
            select(User.id, User.avatar_key).where(User.username == username)
        ).one()
    assert key is not None
    base_url = world.app.config["EXTERNAL_URL"]
    return lambda size: f"{base_url}/media/{file_name(user_id, key, size)}"


def shown_picture(web: Browser, image: WebElement) -> tuple[int, tuple[int, int, int]]:
    """The width and centre colour of ``image`` as the browser shows it."""
    shown = web.driver.execute_async_script(_SHOWN_PICTURE, image)
    red, green, blue = shown["rgb"]
    return int(shown["width"]), (red, green, blue)


def near(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    """Whether ``colour`` is ``expected`` give or take what lossy re-encoding changes."""
    return all(
        abs(got - want) <= COLOUR_TOLERANCE for got, want in zip(colour, expected, strict=True)
    )


def test_display_name_and_time_zone_show_on_the_forum_pages(browser: Browser, world: World) -> None:
    topic = f"/topic/{world.topic('member2', title='Sunrise paddle', content='Who is in?')}"
    posted = ".post-head > p.small time"
    web = browser
    logged_in(web, "alice")
    web.open(topic)
    moment = datetime.fromisoformat(str(web.find(posted).get_attribute("datetime")))
    # The text says how long ago; the title has the date in the reader's zone.
    title = in_full(moment, ZoneInfo("UTC"), locale_of("en"))
    assert web.find(posted).get_attribute("title") == title

    settings_page(web, "Profile")
    web.type("display_name", DISPLAY_NAME)
    web.submit(button="Save profile")
    web.expect_text(".flashes", "Your profile is saved.")
    settings_page(web, "Preferences")
    web.choose("timezone", TIME_ZONE)
    web.submit(button="Save preferences")
    web.expect_text(".flashes", "Your preferences are saved.")

    web.open(topic)
    title = in_full(moment, ZoneInfo(TIME_ZONE), locale_of("en"))
    assert web.find(posted).get_attribute("title") == title
    assert web.text(posted).endswith(" ago")
    web.open("/user/alice")
    web.expect_text("h1", f"{DISPLAY_NAME} (alice)")


def test_every_page_of_the_settings_menu_is_accessible(browser: Browser, world: World) -> None:
    web = browser
    logged_in(web, "alice")
    web.follow("Settings", within="header nav")
    labels = [str(link.text) for link in web.find_all("nav.settings-menu a")]
    assert labels[0] == "Profile" and "Security" in labels and "Delete account" in labels
    for label in labels:
        web.follow(label, within="nav.settings-menu")
        current = web.find("nav.settings-menu a[aria-current=page]")
        assert current.text == label
        assert web.status == 200

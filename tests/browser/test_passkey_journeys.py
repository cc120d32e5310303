"""Passkeys in a real browser: Chromium's virtual authenticator (CTAP2, built in, with
user verification) stands in for a phone or a laptop's fingerprint reader.

WebAuthn refuses IP addresses as relying party ids, so these journeys serve the app as
``http://localhost:<port>`` (a secure context, like every ``localhost`` origin) with
``EXTERNAL_URL`` set to that address: the server on 127.0.0.1 is the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from tests.browser.conftest import serve
from tests.conftest import PASSWORD, MakeUser

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

pytestmark = pytest.mark.usefixtures("browser_tools")


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on 127.0.0.1 and visited as ``localhost`` (see the module's note)."""
    yield from serve(app, "localhost")


@pytest.fixture
def passkey_browser(browser: Browser) -> Browser:
    """A browser with a built-in authenticator whose owner is always verified."""
    from selenium.webdriver.common.virtual_authenticator import (
        Protocol,
        Transport,
        VirtualAuthenticatorOptions,
    )

    browser.driver.add_virtual_authenticator(
        VirtualAuthenticatorOptions(
            protocol=Protocol.CTAP2,
            transport=Transport.INTERNAL,
            has_resident_key=True,
            has_user_verification=True,
            is_user_verified=True,
        )
    )
    return browser


def add_passkey_and_log_out(web: Browser, make_user: MakeUser, username: str, name: str) -> None:
    """A new member logs in, adds a passkey called ``name`` and logs out again."""
    make_user(username)
    web.open("/auth/login")
    web.log_in(username, PASSWORD)
    web.expect_logged_in(username)
    add_passkey(web, name)
    web.log_out()
    web.open("/auth/login")


def add_passkey(web: Browser, name: str) -> None:
    """On the security page: name a new passkey and let the authenticator make it."""
    web.open("/settings/security")
    form = web.find("form[data-passkey=create]")
    assert form.is_displayed(), "the passkey form shows once JavaScript runs"
    assert not web.find("[data-passkey-fallback]").is_displayed()
    web.type("name", name)
    web.submit(form, button="Add a passkey")
    web.expect_text(".flashes", f"Passkey “{name}” added.")
    web.expect_text("#passkeys-title + p + table", name)


def test_a_passkey_answers_the_second_step_after_the_password(
    passkey_browser: Browser, make_user: MakeUser
) -> None:
    web = passkey_browser
    add_passkey_and_log_out(web, make_user, "petra", "This computer")
    web.log_in("petra", PASSWORD)
    web.expect_path("/auth/two-factor")
    web.expect_logged_out()
    web.submit(web.find("form[data-passkey=get]"), button="Use a passkey")
    web.expect_logged_in("petra")
    web.open("/settings/security")
    assert "Passkey" in web.text("#history-title + p + table")


def test_a_passkey_alone_signs_in(passkey_browser: Browser, make_user: MakeUser) -> None:
    web = passkey_browser
    add_passkey_and_log_out(web, make_user, "quinn", "Fingerprint reader")
    assert not web.find("[data-passkey-fallback]").is_displayed()
    web.submit(web.find("form[data-passkey=get]"), button="Sign in with a passkey")
    web.expect_logged_in("quinn")
    web.open("/settings/security")
    assert "Passkey, without password" in web.text("#history-title + p + table")


def test_a_passkey_confirms_the_password_before_a_sensitive_page(
    passkey_browser: Browser, make_user: MakeUser, app: Flask
) -> None:
    web = passkey_browser
    make_user("rosa")
    web.open("/auth/login")
    web.log_in("rosa", PASSWORD)
    web.expect_logged_in("rosa")
    add_passkey(web, "Laptop")
    # The window is read per request: at 0 the login is stale, and the page asks again.
    app.config["REAUTH_WINDOW_SECONDS"] = 0
    web.open("/settings/password")
    web.expect_path("/auth/reauth?next=/settings/password")
    app.config["REAUTH_WINDOW_SECONDS"] = 600
    assert not web.driver.find_elements("css selector", "input[name=code]")
    form = web.find("form[data-passkey=get]")
    assert form.is_displayed(), "the passkey form shows once JavaScript runs"
    form.find_element("css selector", "input[name=password]").send_keys(PASSWORD)
    web.submit(form, button="Use a passkey")
    web.expect_path("/settings/password")
    web.expect_text(".flashes", "your password is confirmed")

"""Auth journeys in a real browser, with real emails over SMTP: a forgotten password reset
from the email, the password prompt before a sensitive page, and the friendly page of
the login rate limit. Every page on the way is checked with axe-core.

Registration and activation are part of the newcomer's journey in test_forum_journeys.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from flask import Flask, render_template_string

from forumapp.auth.decorators import fresh_login_required
from forumapp.auth.services import WRONG_CREDENTIALS, WRONG_PASSWORD
from forumapp.auth.tokens import INVALID
from tests.conftest import PASSWORD, MakeUser
from tests.smtp import SmtpSink

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

NEW_PASSWORD = "a fresh passphrase for dora"

#: A stand-in for a page that asks for the password again (there is no settings page yet).
SETTINGS_PATH = "/test-only/account-settings"
SETTINGS_PAGE = """{% extends "base.html" %}
{% block title %}Account settings{% endblock %}
{% block content %}
<section class="card narrow" aria-labelledby="page-title">
  <h1 id="page-title">Account settings</h1>
  <p>Only {{ current_user.username }}, with a freshly confirmed password, sees this.</p>
</section>
{% endblock %}"""


@pytest.fixture
def settings_page(app: Flask) -> str:
    """A test-only page behind ``fresh_login_required``; returns its path."""

    @fresh_login_required
    def account_settings() -> str:
        return render_template_string(SETTINGS_PAGE)

    app.add_url_rule(SETTINGS_PATH, "test_account_settings", account_settings)
    return SETTINGS_PATH


def test_forgotten_password_is_reset_from_the_email(
    browser: Browser, smtp_sink: SmtpSink, make_user: MakeUser
) -> None:
    make_user("dora", "dora@example.org")
    web = browser

    # "Forgot your password?" on the login page, then the link in the email.
    web.open("/")
    web.follow("Log in", within="header")
    web.follow("Forgot your password?")
    web.expect_path("/auth/reset-password")
    web.type("email", "dora@example.org")
    web.submit()
    web.expect_path("/auth/login")
    web.expect_text(".flashes", "If an account uses dora@example.org")

    reset_link = smtp_sink.wait_for_link("dora@example.org", web.base_url + "/auth/reset-password/")
    token = urlsplit(reset_link).path.rsplit("/", 1)[1]
    web.open(reset_link)
    # The token left the address bar (and so the Referer header) for the session.
    web.expect_path("/auth/reset-password/set-password")
    assert token not in web.driver.current_url
    web.expect_text("h1", "Choose a new password")
    web.type("password", NEW_PASSWORD)
    web.type("confirm_password", NEW_PASSWORD)
    web.submit()
    web.expect_path("/auth/login")
    web.expect_text(".flashes", "Your password has been changed")
    subjects = [mail.subject for mail in smtp_sink.wait_for(2)]
    assert subjects[-1].endswith("Your password was changed")

    # The emailed link was good for one reset only.
    web.open(reset_link)
    assert web.status == 400
    web.expect_text("h1", "This link cannot be used")
    web.expect_text("main", str(INVALID))

    # The old password no longer works; the new one does.
    web.follow("Log in", within="header")
    web.expect_path("/auth/login")
    web.log_in("dora@example.org", PASSWORD)
    web.expect_text(".form-errors", str(WRONG_CREDENTIALS))
    assert "Logged in as" not in web.text("header")
    web.log_in("dora", NEW_PASSWORD)
    web.expect_path("/")
    web.expect_logged_in("dora")


def test_sensitive_page_asks_for_the_password_again(
    browser: Browser, settings_page: str, make_user: MakeUser
) -> None:
    make_user("erin")
    web = browser

    # Anonymous: log in first, with "keep me logged in"; a fresh login goes straight on.
    web.open(settings_page)
    web.expect_text("h1", "Log in")
    web.expect_text(".flashes", "Please log in to see this page.")
    web.log_in("erin", PASSWORD, remember=True)
    web.expect_path(settings_page)
    web.expect_text("h1", "Account settings")

    # The next day: the browser was closed (the session cookie is gone) and the
    # remember-me cookie logs erin in again, but not freshly.
    assert web.driver.get_cookie("forumapp_remember") is not None
    web.driver.delete_cookie("forumapp_session")
    web.open(settings_page)
    web.expect_text("h1", "Confirm your password")
    assert web.path.startswith("/auth/reauth?next=")
    web.expect_text(".flashes", "Please confirm your password to continue.")
    web.expect_logged_in("erin")

    web.type("password", "not my password")
    web.submit()
    web.expect_text(".form-errors", str(WRONG_PASSWORD))
    assert web.field("password").get_attribute("aria-invalid") == "true"

    web.type("password", PASSWORD)
    web.submit()
    web.expect_path(settings_page)
    web.expect_text("h1", "Account settings")
    web.expect_text(".flashes", "your password is confirmed")


@pytest.mark.app_config(AUTH_LOGIN_LIMIT="3 per minute")
def test_too_many_failed_logins_show_the_friendly_rate_limit_page(
    browser: Browser, make_user: MakeUser
) -> None:
    make_user("frank")
    web = browser
    web.open("/auth/login")
    for attempt in range(3):
        web.log_in("frank", f"wrong guess {attempt}")
        assert web.status == 200
        web.expect_text(".form-errors", str(WRONG_CREDENTIALS))

    # The fourth try waits, even with the right password.
    web.log_in("frank", PASSWORD)
    assert web.status == 429
    web.expect_text("h1", "Too many requests")
    web.expect_text(".error-page", "Error 429")
    web.expect_text(".error-page", "You have tried this too often. Please wait a little")
    assert "Logged in as" not in web.text("header")
    # The site's own page, styled, with a way on.
    assert web.driver.execute_script("return document.styleSheets[0].cssRules.length") > 0
    (home,) = web.links("Go to the home page")
    assert home.get_attribute("href") == web.base_url + "/"

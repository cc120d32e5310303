"""One person's whole auth journey in a real browser, with real emails over SMTP:
register, activate from the email, log in, confirm the password, log out, forget the
password, reset it from the email and log in with the new one."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD
from tests.smtp import SmtpSink

try:
    from selenium.common.exceptions import (
        StaleElementReferenceException,
        TimeoutException,
        WebDriverException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # the browser_tools fixture fails (CI) or skips with install hints
    pass

if TYPE_CHECKING:
    from collections.abc import Callable

    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

USERNAME = "carol"
EMAIL = "carol@example.org"
NEW_PASSWORD = "a fresh passphrase for carol"
WAIT_SECONDS = 10


def wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, WAIT_SECONDS)


def until(driver: WebDriver, condition: Callable[[WebDriver], object], expected: str) -> None:
    """Wait for ``condition``; on timeout fail with what the browser shows instead."""
    try:
        wait(driver).until(condition)
    except TimeoutException:
        pass
    else:
        return
    page = driver.find_element(By.TAG_NAME, "body").text
    pytest.fail(f"expected {expected}; {driver.current_url} shows:\n{page}")


def field(driver: WebDriver, name: str) -> WebElement:
    """The form control called ``name``, once it is on the page."""
    return wait(driver).until(ec.visibility_of_element_located((By.NAME, name)))


def type_into(driver: WebDriver, name: str, text: str) -> None:
    control = field(driver, name)
    control.clear()
    control.send_keys(text)


def submit(driver: WebDriver, form: WebElement | None = None) -> None:
    """Click the submit button (of ``form``, or of the page's main form) and wait until
    the next page replaced this one."""
    scope = form or driver.find_element(By.CSS_SELECTOR, "main form")
    button = scope.find_element(By.CSS_SELECTOR, "button[type=submit]")
    button.click()
    until(driver, replaced(button), "the next page after the form was sent")


def replaced(element: WebElement) -> Callable[[WebDriver], bool]:
    """A wait condition: ``element``'s page has gone. Like ``ec.staleness_of``, but a
    chromedriver that catches the page mid-navigation answers "Node with given id does
    not belong to the document" (an unknown error) rather than a stale reference."""

    def gone(driver: WebDriver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc.msg):
                return True
            raise
        return False

    return gone


def wait_for_text(driver: WebDriver, css: str, text: str) -> None:
    """Wait until the element matching ``css`` contains ``text``."""
    until(
        driver,
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text),
        f"{text!r} in {css}",
    )


def wait_for_path(driver: WebDriver, base_url: str, path: str) -> None:
    until(driver, ec.url_to_be(base_url + path), f"to be at {path}")


def log_in(driver: WebDriver, login: str, password: str) -> None:
    type_into(driver, "login", login)
    type_into(driver, "password", password)
    submit(driver)


def log_out(driver: WebDriver) -> None:
    """Click "Log out" in the header: a button in a POST form."""
    header_form = driver.find_element(By.CSS_SELECTOR, "header form")
    assert header_form.get_attribute("method") == "post"
    assert header_form.find_element(By.CSS_SELECTOR, "button[type=submit]").text == "Log out"
    submit(driver, header_form)
    wait_for_text(driver, "header nav", "Log in")
    assert "Logged in as" not in driver.find_element(By.CSS_SELECTOR, "header").text


def test_register_activate_login_reauth_logout_reset_password(
    live_server: str, smtp_sink: SmtpSink, driver: WebDriver
) -> None:
    base_url = live_server

    # Register.
    driver.get(base_url + "/auth/register")
    type_into(driver, "username", USERNAME)
    type_into(driver, "email", EMAIL)
    type_into(driver, "password", PASSWORD)
    type_into(driver, "confirm_password", PASSWORD)
    terms = field(driver, "accept_tos")
    terms.click()
    assert terms.is_selected()
    submit(driver)
    wait_for_path(driver, base_url, "/auth/login")
    wait_for_text(driver, ".flashes", f"We have sent an email to {EMAIL}")

    # Activate from the link in the email.
    activation_link = smtp_sink.wait_for_link(EMAIL, base_url + "/auth/activate/confirm/")
    driver.get(activation_link)
    wait_for_path(driver, base_url, "/auth/login")
    wait_for_text(driver, ".flashes", "Your account is activated")

    # Log in with the email address.
    log_in(driver, EMAIL, PASSWORD)
    wait_for_text(driver, "header", f"Logged in as {USERNAME}")

    # Confirm the password before a page that asks for it.
    driver.get(base_url + "/auth/reauth?next=/terms")
    wait_for_text(driver, "h1", "Confirm your password")
    type_into(driver, "password", PASSWORD)
    submit(driver)
    wait_for_path(driver, base_url, "/terms")
    wait_for_text(driver, ".flashes", "your password is confirmed")

    log_out(driver)

    # Forgot the password: the link on the login page, then the link in the email.
    driver.find_element(By.LINK_TEXT, "Log in").click()
    wait(driver).until(ec.element_to_be_clickable((By.LINK_TEXT, "Forgot your password?"))).click()
    wait_for_path(driver, base_url, "/auth/reset-password")
    type_into(driver, "email", EMAIL)
    submit(driver)
    wait_for_text(driver, ".flashes", f"If an account uses {EMAIL}")

    reset_link = smtp_sink.wait_for_link(EMAIL, base_url + "/auth/reset-password/")
    token = urlsplit(reset_link).path.rsplit("/", 1)[1]
    driver.get(reset_link)
    # The token left the address bar (and so the Referer header) for the session.
    wait_for_path(driver, base_url, "/auth/reset-password/set-password")
    assert token not in driver.current_url
    wait_for_text(driver, "h1", "Choose a new password")
    type_into(driver, "password", NEW_PASSWORD)
    type_into(driver, "confirm_password", NEW_PASSWORD)
    submit(driver)
    wait_for_path(driver, base_url, "/auth/login")
    wait_for_text(driver, ".flashes", "Your password has been changed")

    # The new password works.
    log_in(driver, USERNAME, NEW_PASSWORD)
    wait_for_text(driver, "header", f"Logged in as {USERNAME}")
    log_out(driver)

    # A fresh attempt with the old one does not.
    driver.find_element(By.LINK_TEXT, "Log in").click()
    wait_for_path(driver, base_url, "/auth/login")
    log_in(driver, EMAIL, PASSWORD)
    wait_for_text(driver, ".form-errors", "Wrong username, email address or password.")
    assert "Logged in as" not in driver.find_element(By.CSS_SELECTOR, "header").text

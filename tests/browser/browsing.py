"""A person's browser for the journeys: every page it arrives at is checked with axe-core.

:class:`Browser` wraps one Selenium driver. Its navigation methods (``open``, ``follow``,
``submit``) wait until the next page has loaded, then scan it, so a journey cannot visit a
page without checking it. Waits are explicit (``WebDriverWait``), never sleeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.axe import AxeScanner

try:
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        TimeoutException,
        WebDriverException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # the browser_tools fixture fails (CI) or skips with install hints
    pass

if TYPE_CHECKING:
    from collections.abc import Callable

    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

WAIT_SECONDS = 10

_RESPONSE_STATUS = """
const entry = performance.getEntriesByType("navigation")[0];
return entry ? entry.responseStatus : null;
"""


class Browser:
    """One person's browser on the live server at ``base_url``."""

    def __init__(self, driver: WebDriver, base_url: str, axe: AxeScanner) -> None:
        self.driver = driver
        self.base_url = base_url
        self.axe = axe

    # Waiting.

    def wait(self) -> WebDriverWait[WebDriver]:
        return WebDriverWait(self.driver, WAIT_SECONDS)

    def until(self, condition: Callable[[WebDriver], object], expected: str) -> None:
        """Wait for ``condition``; on timeout fail with what the browser shows instead."""
        try:
            self.wait().until(condition)
        except TimeoutException:
            pass
        else:
            return
        pytest.fail(f"expected {expected}; {self.driver.current_url} shows:\n{self.text('body')}")

    # Navigation: each arrival is scanned.

    def open(self, path: str) -> None:
        """Type ``path`` (or a whole URL) into the address bar."""
        self.driver.get(path if "://" in path else self.base_url + path)
        self.arrived()

    def follow(self, link_text: str, within: str = "body") -> None:
        """Click the link called ``link_text`` (inside the ``within`` element)."""
        link = self.find(within).find_element(By.LINK_TEXT, link_text)
        link.click()
        self.until(replaced(link), f"the page behind the link {link_text!r}")
        self.arrived()

    def submit(self, form: WebElement | None = None, button: str | None = None) -> None:
        """Click the submit button (called ``button``) of ``form``, or of the page's main
        form, and wait for the page that answers it."""
        scope = form or self.find("main form")
        buttons = scope.find_elements(By.CSS_SELECTOR, "button[type=submit]")
        if button is not None:
            buttons = [candidate for candidate in buttons if candidate.text == button]
        assert buttons, f"no submit button {button or ''} in the form"
        buttons[0].click()
        self.until(replaced(buttons[0]), "the next page after the form was sent")
        self.arrived()

    def arrived(self) -> None:
        """Wait until the page has loaded, then check its accessibility."""
        self.until(
            lambda driver: driver.execute_script("return document.readyState") == "complete",
            "the page to load",
        )
        self.axe.scan(self.driver)

    # Forms.

    def field(self, name: str) -> WebElement:
        """The form control called ``name``, once it is on the page."""
        return self.wait().until(ec.visibility_of_element_located((By.NAME, name)))

    def type(self, name: str, text: str) -> None:
        control = self.field(name)
        control.clear()
        control.send_keys(text)

    def choose(self, name: str, value: str) -> None:
        """Pick the option whose value is ``value`` in the drop-down list called ``name``."""
        Select(self.field(name)).select_by_value(value)

    def tick(self, name: str) -> None:
        box = self.field(name)
        if not box.is_selected():
            box.click()
        assert box.is_selected()

    # What the page shows.

    @property
    def path(self) -> str:
        return str(self.driver.execute_script("return location.pathname + location.search"))

    @property
    def status(self) -> int | None:
        """The HTTP status of the page shown (Navigation Timing's ``responseStatus``)."""
        status = self.driver.execute_script(_RESPONSE_STATUS)
        return int(status) if status is not None else None

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def links(self, text: str) -> list[WebElement]:
        """The links whose text is ``text``."""
        return self.driver.find_elements(By.LINK_TEXT, text)

    def text(self, css: str) -> str:
        return str(self.find(css).text)

    def has(self, css: str) -> bool:
        return bool(self.find_all(css))

    def expect_path(self, path: str) -> None:
        self.until(ec.url_to_be(self.base_url + path), f"to be at {path}")

    def expect_text(self, css: str, text: str) -> None:
        """Wait until the element matching ``css`` contains ``text``."""
        self.until(
            ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), f"{text!r} in {css}"
        )

    def expect_logged_in(self, username: str) -> None:
        self.expect_text("header", f"Logged in as {username}")

    def expect_logged_out(self) -> None:
        self.expect_text("header nav", "Log in")
        assert "Logged in as" not in self.text("header")

    # The site's own actions.

    def log_in(self, login: str, password: str, *, remember: bool = False) -> None:
        """Fill in and send the login form shown now."""
        self.type("login", login)
        self.type("password", password)
        if remember:
            self.tick("remember_me")
        self.submit()

    def log_out(self) -> None:
        """Click "Log out" in the header: a button in a POST form."""
        header_form = self.find("header form.inline-form")  # not the search box's GET form
        assert header_form.get_attribute("method") == "post"
        self.submit(header_form, button="Log out")
        self.expect_logged_out()
        self.expect_text(".flashes", "You are logged out.")

    def fetch_status(self, path: str) -> int:
        """The status the server answers a GET of ``path`` with, asked by this page's
        JavaScript with this browser's cookies (without leaving the page)."""
        status = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin', redirect: 'manual'})"
            ".then((response) => done(response.status), (error) => done(String(error)));",
            path,
        )
        assert isinstance(status, int), status
        return status


def replaced(element: WebElement) -> Callable[[WebDriver], bool]:
    """A wait condition: ``element``'s page has gone. Like ``ec.staleness_of``, but a
    chromedriver that catches the page mid-navigation answers "Node with given id does
    not belong to the document" (an unknown error) rather than a stale reference."""

    def gone(driver: WebDriver) -> bool:
        try:
            element.is_enabled()
        except (StaleElementReferenceException, NoSuchElementException):
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc.msg):
                return True
            raise
        return False

    return gone

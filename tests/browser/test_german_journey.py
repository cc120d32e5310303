"""A guest turns the forum German from the footer's language menu, registers, gets the
activation email in German over real SMTP, follows it, logs in and stays in German.

The German words expected are read from the compiled catalogue, and each is checked to
differ from the English, so the journey fails whenever a page or the email stays English.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from babel.support import Translations

from forumapp.i18n import TRANSLATIONS
from forumapp.i18n.selection import COOKIE_NAME
from tests.conftest import PASSWORD
from tests.forum_world import World
from tests.smtp import SmtpSink

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

pytestmark = pytest.mark.usefixtures("browser_tools")

USERNAME = "greta"
EMAIL = "greta@example.org"
#: A sentence of the activation email.
IGNORE_IT = (
    "If you did not register, ignore this email: without activation the account stays unusable."
)


def german() -> Translations:
    """forumapp's compiled German catalogue."""
    catalogue = Translations.load(str(TRANSLATIONS), ["de"])
    assert isinstance(catalogue, Translations), "no compiled German catalogue"
    return catalogue


def de(english: str, **values: str) -> str:
    """The German of ``english`` as a page shows it (markup stripped); never the English."""
    translated = german().gettext(english)
    assert translated != english, f"the German catalogue does not translate {english!r}"
    return re.sub(r"<[^>]+>", "", translated % values if values else translated)


def test_a_guest_switches_to_german_registers_and_stays_german(
    browser: Browser, smtp_sink: SmtpSink, world: World
) -> None:
    web = browser
    web.open("/")
    web.expect_text("header", "Register")

    # The footer's menu: a plain form, no JavaScript needed.
    menu = web.find("footer form.language-menu")
    web.choose("language", "de")
    web.submit(menu, button="Change")
    assert web.find("html").get_attribute("lang") == "de"
    web.expect_text("header", de("Register"))
    web.expect_text("footer", de("Language"))

    web.follow(de("Register"), within="header")
    web.expect_text("h1", de("Create an account"))
    # The language chosen for the account is the page's.
    selected = web.find("select[name=language] option[selected]")
    assert selected.get_attribute("value") == "de"
    web.type("username", USERNAME)
    web.type("email", EMAIL)
    web.type("password", PASSWORD)
    web.type("confirm_password", PASSWORD)
    web.tick("accept_tos")
    web.submit()
    web.expect_path("/auth/login")

    (mail,) = smtp_sink.wait_for(1)
    assert mail.subject.endswith(de("Activate your account"))
    ignore = (
        "If you did not register, ignore this email: without activation the account stays unusable."
    )
    assert " ".join(de(ignore).split()) in " ".join(mail.text.split())
    activation_link = smtp_sink.wait_for_link(EMAIL, web.base_url + "/auth/activate/confirm/")

    # A fresh start in the same browser: the cookie is gone, the account keeps German.
    web.driver.delete_cookie(COOKIE_NAME)
    web.open(activation_link)
    web.expect_path("/auth/login")
    web.expect_text(".flashes", de("Your account is activated. You can log in now."))
    web.log_in(USERNAME, PASSWORD)
    web.expect_path("/")
    web.expect_text("header", de("Logged in as <strong>%(name)s</strong>", name=USERNAME))
    assert web.find("html").get_attribute("lang") == "de"

"""Texts forumapp does not write itself, in the page's language: Flask-Login's "please log
in" flash, WTForms' built-in validator messages (from WTForms' own catalogues) and a rate
limit's message on the 429 page."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import lazy_gettext
from wtforms.i18n import messages_path

from forumapp.auth.forms import EMAIL_MAX_LENGTH
from forumapp.extensions import limiter
from tests.catalogues import compile_catalogue
from tests.conftest import csrf_token

LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}
LOGIN_MESSAGE = "Please log in to see this page."
GERMAN_LOGIN_MESSAGE = "Bitte melden Sie sich an, um diese Seite zu sehen."
LIMIT_MESSAGE = "Language"
GERMAN_LIMIT_MESSAGE = "Sprache"
#: WTForms' own message for ``Length(max=...)``.
TOO_LONG = (
    "Field cannot be longer than %(max)d character.",
    "Field cannot be longer than %(max)d characters.",
)


#: A translation of TOO_LONG in Arabic's six plural forms.
ARABIC_TOO_LONG = (
    "لا يمكن أن يزيد الحقل على %(max)d حرف.",
    "لا يمكن أن يزيد الحقل على حرف واحد.",
    "لا يمكن أن يزيد الحقل على حرفين.",
    "لا يمكن أن يزيد الحقل على %(max)d أحرف.",
    "لا يمكن أن يزيد الحقل على %(max)d حرفًا.",
    "لا يمكن أن يزيد الحقل على %(max)d حرف.",
)


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict[str, Any]:
    """Four languages, and a German catalogue of the messages under test."""
    folder = compile_catalogue(
        tmp_path / "translations",
        "de",
        {LOGIN_MESSAGE: GERMAN_LOGIN_MESSAGE, LIMIT_MESSAGE: GERMAN_LIMIT_MESSAGE},
    )
    compile_catalogue(folder, "ar", {TOO_LONG: ARABIC_TOO_LONG})
    return {"LANGUAGES": LANGUAGES, "BABEL_TRANSLATION_DIRECTORIES": str(folder)}


def too_long_login(client: FlaskClient, language: str) -> str:
    """The login page answering a login name one character too long, in ``language``."""
    data = {"login": "x" * (EMAIL_MAX_LENGTH + 1), "password": "p"}
    data["csrf_token"] = csrf_token(client)
    answer = client.post("/auth/login", data=data, headers={"Accept-Language": language})
    return str(answer.get_data(as_text=True))


def test_the_please_log_in_flash_is_in_the_pages_language(client: FlaskClient) -> None:
    answer = client.get("/settings/profile", headers={"Accept-Language": "de"})
    assert answer.status_code == 302 and "/auth/login" in answer.location
    page = client.get(answer.location, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert GERMAN_LOGIN_MESSAGE in page and LOGIN_MESSAGE not in page
    client.get("/settings/profile", headers={"Accept-Language": "en"})
    assert LOGIN_MESSAGE in client.get("/auth/login").get_data(as_text=True)


# Arabic: WTForms' catalogue fills two of this message's six forms (see the next test).
@pytest.mark.parametrize("language", ["de", "es"])
def test_wtforms_built_in_messages_come_from_wtforms_catalogues(
    client: FlaskClient, language: str
) -> None:
    wtforms = Translations.load(messages_path(), [language], domain="wtforms")
    expected = wtforms.ungettext(*TOO_LONG, EMAIL_MAX_LENGTH) % {"max": EMAIL_MAX_LENGTH}
    english = TOO_LONG[1] % {"max": EMAIL_MAX_LENGTH}
    assert expected != english, f"WTForms has no {language} translation of the message"
    text = too_long_login(client, language)
    assert html.escape(expected) in text and english not in text


def test_a_plural_wtforms_leaves_english_comes_from_forumapps_catalogue(
    client: FlaskClient,
) -> None:
    wtforms = Translations.load(messages_path(), ["ar"], domain="wtforms")
    english = TOO_LONG[1] % {"max": EMAIL_MAX_LENGTH}
    wtforms_answer = wtforms.ungettext(*TOO_LONG, EMAIL_MAX_LENGTH) % {"max": EMAIL_MAX_LENGTH}
    assert wtforms_answer == english, "WTForms translates it now: forumapp's fallback may go"
    text = too_long_login(client, "ar")
    # 254 takes Arabic's fifth form (11 to 99 after the hundreds).
    assert ARABIC_TOO_LONG[4] % {"max": EMAIL_MAX_LENGTH} in text and english not in text


def test_a_rate_limits_message_is_in_the_pages_language(app: Flask, client: FlaskClient) -> None:
    @limiter.limit("1 per hour", error_message=lazy_gettext(LIMIT_MESSAGE))
    def limited_probe() -> str:
        return "fine"

    app.add_url_rule("/limited-probe", view_func=limited_probe)
    assert client.get("/limited-probe").status_code == 200
    refused = client.get("/limited-probe", headers={"Accept-Language": "de"})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert GERMAN_LIMIT_MESSAGE in page and ">Language<" not in page

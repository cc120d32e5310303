"""The auth, account, setup, policy and error pages in German, Spanish and Arabic: this
slice's catalogue fragments (``i18n-work/i18n-a``), compiled into a temporary directory
that Flask-Babel merges after forumapp's own catalogues (the last one merged decides a
message and the plural rule)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.i18n import TRANSLATIONS
from forumapp.users.models import User
from tests.conftest import AuthActions, MakeUser, csrf_token

FRAGMENTS = Path(__file__).resolve().parents[2] / "i18n-work" / "i18n-a"
LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fragments compiled to ``<dir>/<language>/LC_MESSAGES/messages.mo``."""
    root = tmp_path_factory.mktemp("i18n-a-translations")
    for language in ("de", "es", "ar"):
        with (FRAGMENTS / f"{language}.po").open("rb") as source:
            catalog = read_po(source, locale=language)
        target = root / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as out:
            write_mo(out, catalog)
    return root


@pytest.fixture
def config_overrides(compiled: Path) -> dict[str, Any]:
    """Four languages on offer, this slice's catalogues merged last."""
    return {
        "LANGUAGES": LANGUAGES,
        "BABEL_TRANSLATION_DIRECTORIES": f"{TRANSLATIONS};{compiled}",
    }


def page(client: FlaskClient, path: str, language: str) -> str:
    return client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)


def speak(app: Flask, username: str, language: str) -> None:
    with app.app_context():
        db.session.execute(
            db.update(User).where(User.username == username).values(language=language)
        )
        db.session.commit()


def test_the_login_page_reads_in_german(client: FlaskClient) -> None:
    text = page(client, "/auth/login", "de")
    assert "<title>Anmelden" in text
    assert "Passwort vergessen?" in text
    assert "Benutzername oder E-Mail-Adresse" in text  # a form label, lazily translated
    assert "Forgot your password?" not in text


def test_the_registration_page_reads_in_spanish_with_its_links_intact(client: FlaskClient) -> None:
    text = page(client, "/auth/register", "es")
    assert "Crear una cuenta" in text
    assert "Al menos 8 caracteres." in text  # the configured minimum, in its placeholder
    assert 'Lee las <a href="/terms">condiciones del servicio</a>' in text


def test_the_login_page_reads_right_to_left_in_arabic(client: FlaskClient) -> None:
    text = page(client, "/auth/login", "ar")
    assert '<html lang="ar" dir="rtl">' in text
    assert "هل نسيت كلمة المرور؟" in text


def test_a_services_refusal_is_shown_in_the_pages_language(
    client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("alice")
    answer = client.post(
        "/auth/login",
        data={"login": "alice", "password": "wrong", "csrf_token": csrf_token(client)},
        headers={"Accept-Language": "de"},
    )
    text = answer.get_data(as_text=True)
    assert "Falscher Benutzername, falsche E-Mail-Adresse oder falsches Passwort." in text


def test_a_members_settings_pages_follow_their_language(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> None:
    make_user("alice")
    speak(app, "alice", "de")
    auth.login()
    text = page(client, "/settings/sessions", "en")
    assert "Angemeldete Geräte" in text
    assert 'aria-label="Einstellungen"' in text  # the settings menu's landmark
    assert ">Sicherheit</a>" in text  # the menu's entries, lazy labels in Python


def test_an_error_page_reads_in_the_visitors_language(client: FlaskClient) -> None:
    text = page(client, "/no/such/page", "es")
    assert "Página no encontrada" in text
    assert "Error 404" in text
    assert "Ir a la página de inicio" in text


def test_the_policies_read_in_german(client: FlaskClient) -> None:
    text = page(client, "/privacy", "de")
    assert '<h1 id="page-title">Datenschutz</h1>' in text
    assert "<code>policies/privacy.html</code>" in text


def test_a_count_takes_the_arabic_plural_form_it_needs(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> None:
    make_user("alice")
    speak(app, "alice", "ar")
    auth.login()
    text = page(client, "/settings/email", "ar")
    # 24 hours: Arabic writes 11 to 99 of a thing in the singular ("ساعة"), not as 3 to 10.
    assert "يعمل الرابط الوارد في الرسالة 24 ساعة." in text

"""The auth, account, setup, policy and error pages in German, Spanish and Arabic, from
forumapp's own catalogues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.users.models import User
from tests.conftest import AuthActions, MakeUser, csrf_token

LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Four languages on offer, read from forumapp's own catalogues."""
    return {"LANGUAGES": LANGUAGES}


def page(client: FlaskClient, path: str, language: str) -> str:
    return client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)


@pytest.fixture
def member_page(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> Callable[[str, str], str]:
    """``member_page(language, path)``: ``path`` as alice sees it, her stored language
    ``language`` (which outranks the browser's English)."""

    def read(language: str, path: str) -> str:
        make_user("alice")
        with app.app_context():
            db.session.execute(
                db.update(User).where(User.username == "alice").values(language=language)
            )
            db.session.commit()
        auth.login()
        return page(client, path, "en")

    return read


#: A guest's pages: (path, browser language, fragments the page must hold).
GUEST_PAGES = [
    pytest.param(
        "/auth/login",
        "de",
        (
            "<title>Anmelden",
            "Passwort vergessen?",
            "Benutzername oder E-Mail-Adresse",  # a form label, lazily translated
        ),
        id="login-de",
    ),
    pytest.param(
        "/auth/register",
        "es",
        (
            "Crear una cuenta",
            "Al menos 8 caracteres.",  # the configured minimum, in its placeholder
            'Lee las <a href="/terms">condiciones del servicio</a>',
        ),
        id="register-es",
    ),
    pytest.param(
        "/auth/login", "ar", ('<html lang="ar" dir="rtl">', "هل نسيت كلمة المرور؟"), id="login-ar"
    ),
    pytest.param(
        "/no/such/page",
        "es",
        ("Página no encontrada", "Error 404", "Ir a la página de inicio"),
        id="error-es",
    ),
    pytest.param(
        "/privacy",
        "de",
        ('<h1 id="page-title">Datenschutz</h1>', "<code>policies/privacy.html</code>"),
        id="privacy-de",
    ),
]


@pytest.mark.parametrize(("path", "language", "fragments"), GUEST_PAGES)
def test_a_guests_page_reads_in_the_browsers_language(
    client: FlaskClient, path: str, language: str, fragments: tuple[str, ...]
) -> None:
    text = page(client, path, language)
    assert [fragment for fragment in fragments if fragment not in text] == []
    assert "Forgot your password?" not in text and "Page not found" not in text


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
    member_page: Callable[[str, str], str],
) -> None:
    text = member_page("de", "/settings/sessions")
    assert "Angemeldete Geräte" in text
    assert 'aria-label="Einstellungen"' in text  # the settings menu's landmark
    assert ">Sicherheit</a>" in text  # the menu's entries, lazy labels in Python


def test_a_count_takes_the_arabic_plural_form_it_needs(
    member_page: Callable[[str, str], str],
) -> None:
    text = member_page("ar", "/settings/email")
    # 24 hours: Arabic writes 11 to 99 of a thing in the singular ("ساعة"), not as 3 to 10.
    assert "يعمل الرابط الوارد في الرسالة 24 ساعة." in text

"""The management panel in German, Spanish and Arabic, from forumapp's own catalogues:
pages, a service's refusal (a lazy string turned into text in the request's language) and
a flash after a redirect."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_languages import choose


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """German, Spanish and Arabic on offer, from forumapp's own catalogues."""
    return {"LANGUAGES": {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}}


def admin_speaking(client: FlaskClient, auth: AuthActions, world: World, language: str) -> None:
    """Log in as the administrator and choose ``language`` (a member's stored choice)."""
    login_as(auth, world, "admin")
    assert choose(client, language).status_code == 302


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


#: Pages of the panel, the language the administrator chose, and texts they must show.
TRANSLATED_PAGES = [
    pytest.param(
        "de",
        "/admin/",
        [
            "<h1>Übersicht</h1>",
            "Auf einen Blick",
            ">Protokoll</a>",  # the panel's navigation: lazy labels of a module constant
            "Keine Hintergrundaufgabe ist endgültig fehlgeschlagen.",
        ],
        id="dashboard-de",
    ),
    pytest.param(
        "ar",
        "/admin/users",
        ['<html lang="ar" dir="rtl">', "<h1>الأعضاء</h1>", "الاسم أو البريد الإلكتروني يحتوي على"],
        id="members-ar",
    ),
    pytest.param(
        "de",
        "/admin/reports",
        ["Keine offenen Meldungen.", "Gemeldete private Nachrichten"],
        id="reports-de",
    ),
    pytest.param("es", "/admin/groups", ["Nuevo grupo", "Grupos y sus miembros"], id="groups-es"),
    pytest.param(
        "de",
        "/admin/themes",
        ["Aktives Design", "Kompakt", "Das eigene Aussehen von forumapp"],  # built-in words
        id="themes-de",
    ),
]


@pytest.mark.parametrize(("language", "path", "texts"), TRANSLATED_PAGES)
def test_panel_pages_speak_the_chosen_language(
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    language: str,
    path: str,
    texts: list[str],
) -> None:
    admin_speaking(client, auth, world, language)
    shown = page(client, path)
    for text in texts:
        assert text in shown, text


def test_the_settings_page_and_its_refusals_speak_german(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    admin_speaking(client, auth, world, "de")
    settings = page(client, "/admin/settings")
    assert "Name der Website" in settings
    assert "Einstellungen speichern" in settings
    refused = post_form(client, "/admin/settings", SITE_NAME="", TOPICS_PER_PAGE="many")
    text = refused.get_data(as_text=True)
    assert "Bitte korrigieren Sie Folgendes:" in text
    assert "Geben Sie eine ganze Zahl ein." in text
    assert "Verwenden Sie 1 bis 60 Zeichen." in text


def test_a_flash_after_a_save_speaks_spanish(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    admin_speaking(client, auth, world, "es")
    created = post_form(client, "/admin/groups/new", name="Ayudantes", access_from="0")
    assert created.status_code == 302
    assert "El grupo Ayudantes está creado." in page(client, "/admin/groups")


def test_arabic_counts_take_their_own_plural_forms(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    topic = world.topic("member", title="Topic")
    world.reply(topic)
    admin_speaking(client, auth, world, "ar")
    confirm = page(client, f"/admin/forums/{world.forum_a}/delete")
    # One topic, two posts: the singular and the dual, not the plural of English.
    assert "يحتوي على موضوع واحد بمشاركتين (دون احتساب المحذوفة)." in confirm

"""The reading side served in German, Spanish and Arabic: the index, a forum, a topic and
the search page, with their counts, dates and the services' refusals in the page's
language.

The catalogues are this slice's fragments (``i18n-work/i18n-b``) compiled into a
temporary directory; once they are merged into the package's catalogues and the
fragments are gone, the package's own are used.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy import update

from forumapp.extensions import db
from forumapp.forum.models import Post
from forumapp.users.models import User
from tests.forum_world import World

FRAGMENTS = Path(__file__).resolve().parents[2] / "i18n-work" / "i18n-b"
LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}
#: When the world's members joined and its topic was written (UTC).
JOINED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    """A translations directory holding the compiled fragments (``None`` without them)."""
    if not FRAGMENTS.is_dir():
        return None
    root = tmp_path_factory.mktemp("translations")
    for source in FRAGMENTS.glob("*.po"):
        with source.open("rb") as po:
            catalog = read_po(po)
        target = root / source.stem / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as mo:
            write_mo(mo, catalog)
    return str(root)


@pytest.fixture
def config_overrides(catalogues: str | None) -> dict[str, Any]:
    """Four languages on offer, read from the compiled fragments when there are some."""
    overrides: dict[str, Any] = {"LANGUAGES": LANGUAGES, "DEFAULT_TIMEZONE": "Europe/Berlin"}
    if catalogues:
        overrides["BABEL_TRANSLATION_DIRECTORIES"] = catalogues
    return overrides


@pytest.fixture
def world(world: World) -> World:
    """The forum world with members who joined on :data:`JOINED`."""
    with world.app.app_context():
        db.session.execute(update(User).values(date_joined=JOINED))
        db.session.commit()
    return world


def page(client: FlaskClient, path: str, language: str) -> str:
    """The page at ``path`` (which must answer 200) asked for in ``language``."""
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_the_index_speaks_german_with_german_plurals(client: FlaskClient, world: World) -> None:
    world.topic(title="Willkommen")
    index = page(client, "/", "de")
    assert '<html lang="de" dir="ltr">' in index
    assert "Zum Inhalt springen" in index and ">Foren<" in index and "Statistik" in index
    assert "1 Thema, 1 Beitrag." in index
    assert "Mitglieder; die neuesten:" in index
    assert "Skip to content" not in index and "Statistics" not in index


def test_a_topic_page_in_german_writes_counts_and_dates_the_german_way(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic(title="Willkommen")
    with world.app.app_context():
        db.session.execute(update(User).where(User.username == "alice").values(post_count=1234))
        db.session.commit()
    text = page(client, f"/topic/{topic}", "de")
    assert "0 Antworten" in text
    assert "1.234 Beiträge" in text
    # "joined Mar 2026" in German, through Babel; the machine-readable moment stays UTC.
    assert "Mitglied seit <time" in text and ">März 2026</time>" in text
    assert f'datetime="{JOINED.isoformat(timespec="seconds")}"' in text
    assert "Montag, 2. März 2026, 10:30:00 Europe/Berlin" in text
    assert "Atom-Feed" in text and "Melden Sie sich an</a>, um zu antworten." in text


def test_a_forum_in_arabic_is_right_to_left_and_translated(
    client: FlaskClient, world: World
) -> None:
    world.topic(title="مرحبا")
    text = page(client, f"/forum/{world.forum_a}", "ar")
    assert '<html lang="ar" dir="rtl">' in text
    assert ">الموضوع<" in text and ">الردود<" in text and "آخر مشاركة" in text
    assert "بقلم alice" in text


def test_the_search_page_and_its_refusals_speak_spanish(client: FlaskClient, world: World) -> None:
    world.topic(content="morsa")
    empty = page(client, "/search?q=walrus", "es")
    assert "No hay resultados para «walrus»" in empty
    assert ">Buscar<" in empty and "Todos los foros" in empty and "Ordenar por" in empty
    found = page(client, "/search?q=morsa", "es")
    assert "1 resultado para «morsa»" in found
    # A service's refusal, a lazy string, is written in the request's language.
    refused = client.get("/search?q=morsa&author=nobody", headers={"Accept-Language": "es"})
    assert "Ningún miembro tiene este nombre de usuario." in refused.get_data(as_text=True)


def test_english_stays_the_default(client: FlaskClient, world: World) -> None:
    world.topic(content="walrus")
    with world.app.app_context():
        db.session.execute(update(Post).values(created_at=JOINED))
        db.session.commit()
    text = page(client, "/search?q=walrus", "fr")
    assert "1 result for “walrus”" in text and ">Search<" in text

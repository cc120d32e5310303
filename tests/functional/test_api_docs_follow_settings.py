"""The API's description names the site it belongs to: per app in one process, and
as soon as an admin renames the site."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from forumapp import create_app
from forumapp.api import URL_PREFIX
from forumapp.extensions import db
from tests.conftest import AuthActions, base_config
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.functional.test_management_settings import save


def title_of(client: FlaskClient) -> str:
    """The title of the OpenAPI document ``client``'s app serves."""
    response = client.get(f"{URL_PREFIX}/openapi.json")
    assert response.status_code == 200
    return str(response.get_json()["info"]["title"])


def test_each_app_in_a_process_documents_its_own_site_name(app: Flask, tmp_path: Path) -> None:
    other = create_app(
        {
            **base_config(tmp_path / "unused.sqlite3"),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SITE_NAME": "Second Site",
        }
    )
    try:
        assert title_of(app.test_client()) == "forumapp API"
        assert title_of(other.test_client()) == "Second Site API"
        docs = other.test_client().get(f"{URL_PREFIX}/docs").get_data(as_text=True)
        assert "Second Site API" in docs
        assert "forumapp API" not in docs
    finally:
        with other.app_context():
            db.engine.dispose()


def test_api_docs_show_the_site_name_saved_in_the_panel(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    assert title_of(client) == "forumapp API"
    assert "forumapp API" in client.get(f"{URL_PREFIX}/docs").get_data(as_text=True)
    login_as(auth, world, "admin")
    assert save(client, SITE_NAME="Maker Space").status_code == 302  # type: ignore[attr-defined]
    assert title_of(client) == "Maker Space API"
    docs = client.get(f"{URL_PREFIX}/docs").get_data(as_text=True)
    assert "Maker Space API" in docs
    assert "forumapp API" not in docs

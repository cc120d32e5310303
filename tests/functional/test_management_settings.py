"""Site settings: validated, stored, audited, and picked up by every worker."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from forumapp import create_app
from forumapp.extensions import db
from tests.conftest import AuthActions, base_config
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form

DEFAULTS = {
    "SITE_NAME": "forumapp",
    "SITE_DESCRIPTION": "A friendly place to talk.",
    "REGISTRATION_ENABLED": "y",
    "ACCOUNT_ACTIVATION_REQUIRED": "y",
    "TOPICS_PER_PAGE": "20",
    "POSTS_PER_PAGE": "20",
    "AUTH_LOGIN_LIMIT": "10 per 5 minutes",
    "AUTH_REGISTER_LIMIT": "10 per hour",
    "FORUM_POST_LIMIT": "6 per minute",
}


def save(client: FlaskClient, **changes: str) -> object:
    data = {key: value for key, value in {**DEFAULTS, **changes}.items() if value is not None}
    return post_form(client, "/admin/settings", **data)


def test_only_admins_open_the_settings(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "moderator")
    assert client.get("/admin/settings").status_code == 403


def test_saved_settings_apply_at_once_and_are_audited(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    response = save(client, SITE_NAME="Maker Space", REGISTRATION_ENABLED="")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert "<title>Maker Space</title>" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/auth/register").status_code == 403
    login_as(auth, world, "admin")
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "settings.update" in audit
    assert "SITE_NAME" in audit


def test_bad_values_are_refused_next_to_their_fields(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    page = save(
        client, SITE_NAME="", POSTS_PER_PAGE="5000", TOPICS_PER_PAGE="many", AUTH_LOGIN_LIMIT="lots"
    )
    text = page.get_data(as_text=True)  # type: ignore[attr-defined]
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Use 1 to 60 characters." in text
    assert "Enter a number from 5 to 100." in text or "Enter a whole number." in text
    assert "Write a rate limit such as" in text
    assert "<title>forumapp</title>" in client.get("/").get_data(as_text=True).replace(
        "Settings · ", ""
    )


def test_another_worker_picks_up_saved_settings(
    app: Flask, tmp_path: Path, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    other_worker = create_app(
        {
            **base_config(tmp_path / "unused.sqlite3"),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SETTINGS_CHECK_SECONDS": 0,
        }
    )
    assert "<title>forumapp</title>" in other_worker.test_client().get("/").get_data(as_text=True)
    login_as(auth, world, "admin")
    save(client, SITE_NAME="Shared Name", POSTS_PER_PAGE="7")
    page = other_worker.test_client().get("/").get_data(as_text=True)
    assert "<title>Shared Name</title>" in page
    assert other_worker.config["POSTS_PER_PAGE"] == 7
    with other_worker.app_context():
        db.engine.dispose()

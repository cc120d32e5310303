"""Site settings: validated, stored, audited, and picked up by every worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forumapp import create_app
from forumapp.extensions import db
from forumapp.management.settings.store import SettingsRevision, SiteSetting
from forumapp.sqltypes import utcnow
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
    "SIGNATURES_ENABLED": "y",
    "AUTH_LOGIN_LIMIT": "10 per 5 minutes",
    "AUTH_REGISTER_LIMIT": "10 per hour",
    "FORUM_POST_LIMIT": "6 per minute",
    "MESSAGES_MIN_POSTS": "0",
    "MESSAGES_MIN_ACCOUNT_DAYS": "0",
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


@pytest.mark.parametrize("limit", ["0 per minute", "0/hour", "5 per minute; 0 per hour"])
def test_rate_limits_that_allow_nothing_are_refused_in_the_panel(
    client: FlaskClient, world: World, auth: AuthActions, limit: str
) -> None:
    login_as(auth, world, "admin")

    page = save(client, AUTH_LOGIN_LIMIT=limit)

    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Write a rate limit such as" in page.get_data(as_text=True)  # type: ignore[attr-defined]
    assert stored_settings(world.app) == {}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SITE_NAME", "Maker\r\nSpace"),
        ("SITE_NAME", "Maker\nSpace"),
        ("SITE_NAME", "Maker\x00Space"),
        ("SITE_DESCRIPTION", "Line one\x0bline two"),
        ("FORUM_POST_LIMIT", "6 per\tminute"),
    ],
)
def test_control_characters_in_settings_are_refused(
    client: FlaskClient, world: World, auth: AuthActions, key: str, value: str
) -> None:
    login_as(auth, world, "admin")

    page = save(client, **{key: value})

    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Remove the control characters" in page.get_data(as_text=True)  # type: ignore[attr-defined]
    assert stored_settings(world.app) == {}
    assert world.app.config[key] == DEFAULTS[key]


def test_stored_settings_that_break_the_rules_are_not_applied(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with app.app_context():
        for key, value in (("AUTH_LOGIN_LIMIT", "0 per minute"), ("SITE_NAME", "Bad\nName")):
            db.session.add(SiteSetting(key=key, value=json.dumps(value), updated_at=utcnow()))
        db.session.execute(update(SettingsRevision).values(revision=SettingsRevision.revision + 1))
        db.session.commit()
    worker = create_app(
        {
            **base_config(tmp_path / "unused.sqlite3"),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SETTINGS_CHECK_SECONDS": 0,
        }
    )

    page = worker.test_client().get("/").get_data(as_text=True)

    assert worker.config["AUTH_LOGIN_LIMIT"] == "10 per 5 minutes"
    assert worker.config["SITE_NAME"] == "forumapp"
    assert "<title>forumapp</title>" in page
    assert "Ignoring the stored site setting AUTH_LOGIN_LIMIT" in caplog.text
    with worker.app_context():
        db.engine.dispose()


def stored_settings(app: Flask) -> dict[str, str]:
    """The settings rows, as saved."""
    with app.app_context():
        return dict(db.session.execute(select(SiteSetting.key, SiteSetting.value)).all())  # type: ignore[arg-type]

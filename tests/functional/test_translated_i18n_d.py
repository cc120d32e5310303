"""Private messages, notifications and the API's problems in another language, with the
catalogues forumapp ships.

The API answers in the language of ``Accept-Language``, token clients included: a token
is no login, so no member preference stands in the way of what the caller asks for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from forumapp.extensions import db
from forumapp.i18n import TRANSLATIONS
from forumapp.users.models import User
from tests.api_support import assert_problem, bearer, issue_token
from tests.conftest import AuthActions, MakeUser

LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}
CONVERSATIONS = "/api/v1/conversations/"


@pytest.fixture
def catalogues() -> Path:
    """forumapp's own catalogues, as Flask-Babel finds them: ``<lang>/LC_MESSAGES``."""
    return TRANSLATIONS


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Four languages on offer."""
    return {"LANGUAGES": LANGUAGES}


def in_language(catalogues: Path, language: str, message: str, **values: Any) -> str:
    """``message`` as the catalogue of ``language`` has it, checked to differ from the
    English (else a test could pass with nothing translated)."""
    translations = Translations.load(str(catalogues), [language])
    text = translations.gettext(message)
    assert text != message, f"{message!r} is not translated to {language}"
    return text % values if values else text


def member_token(app: Flask, make_user: MakeUser, username: str = "alice") -> dict[str, str]:
    return bearer(issue_token(app, make_user(username).id))


def test_a_token_clients_422_problem_is_in_its_accept_language(
    app: Flask, client: FlaskClient, make_user: MakeUser, catalogues: Path
) -> None:
    headers = {**member_token(app, make_user), "Accept-Language": "de-DE, de;q=0.9"}
    response = client.post(CONVERSATIONS, json={"subject": "Pläne"}, headers=headers)
    document = assert_problem(response, 422)
    assert document["title"] == in_language(catalogues, "de", "Unprocessable Entity")
    assert document["detail"] == in_language(
        catalogues, "de", "Some fields are invalid; see errors."
    )
    required = in_language(catalogues, "de", "This field is required.")
    assert {(e["name"], e["detail"]) for e in document["errors"]} == {
        ("recipients", required),
        ("content", required),
    }
    # The machine-readable members stay as they are in every language.
    assert document["type"] == "/api/v1/problems/unprocessable-entity"


def test_a_services_refusal_reaches_the_api_in_the_callers_language(
    app: Flask, client: FlaskClient, make_user: MakeUser, catalogues: Path
) -> None:
    headers = {**member_token(app, make_user), "Accept-Language": "es"}
    body = {"recipients": ["nadie"], "subject": "Planes", "content": "Hola"}
    document = assert_problem(client.post(CONVERSATIONS, json=body, headers=headers), 422)
    expected = in_language(catalogues, "es", "No member is called %(name)s.", name="nadie")
    assert document["detail"] == expected
    assert document["errors"] == [{"in": "body", "name": "recipients", "detail": expected}]


def test_the_same_problem_is_english_without_accept_language(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    response = client.post(CONVERSATIONS, json={}, headers=member_token(app, make_user))
    document = assert_problem(response, 422)
    assert document["title"] == "Unprocessable Entity"
    assert document["detail"] == "Some fields are invalid; see errors."


def test_a_guests_401_problem_is_in_arabic(client: FlaskClient, catalogues: Path) -> None:
    response = client.get(CONVERSATIONS, headers={"Accept-Language": "ar"})
    document = assert_problem(response, 401, "authentication-required")
    assert document["title"] == in_language(catalogues, "ar", "Unauthorized")
    assert document["detail"] == in_language(
        catalogues, "ar", "Log in, or send a personal access token: Authorization: Bearer <token>."
    )


def test_a_problem_type_page_varies_with_the_language(
    client: FlaskClient, catalogues: Path
) -> None:
    response = client.get(
        "/api/v1/problems/invalid-token",
        headers={"Accept": "application/json", "Accept-Language": "de"},
    )
    assert response.status_code == 200
    assert response.get_json()["title"] == in_language(catalogues, "de", "Unauthorized")
    assert "Accept-Language" in response.headers["Vary"]


def german_member(app: Flask, make_user: MakeUser, auth: AuthActions) -> None:
    """Alice, whose language preference is German, logged in."""
    make_user("alice")
    with app.app_context():
        db.session.execute(update(User).where(User.username == "alice").values(language="de"))
        db.session.commit()
    auth.login("alice")


def test_the_inbox_and_the_notifications_speak_german(
    app: Flask, client: FlaskClient, make_user: MakeUser, auth: AuthActions, catalogues: Path
) -> None:
    german_member(app, make_user, auth)
    inbox = client.get("/messages/").get_data(as_text=True)
    assert in_language(catalogues, "de", "New conversation") in inbox
    assert in_language(catalogues, "de", "No conversations yet.") in inbox
    assert "No conversations yet." not in inbox
    notifications = client.get("/notifications").get_data(as_text=True)
    empty = (
        "No notifications yet. Watch a topic or a forum from its page to hear of every new post."
    )
    assert in_language(catalogues, "de", empty) in notifications
    assert empty not in notifications
    settings = client.get("/settings/notifications").get_data(as_text=True)
    assert in_language(catalogues, "de", "Save notification settings") in settings
    assert in_language(catalogues, "de", "Someone quotes one of my posts") in settings
    assert in_language(catalogues, "de", "Daily digest") in settings


def test_a_refused_recipient_is_a_german_field_error(
    app: Flask, client: FlaskClient, make_user: MakeUser, auth: AuthActions, catalogues: Path
) -> None:
    german_member(app, make_user, auth)
    page = client.get("/messages/new").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    form = {
        "csrf_token": token,
        "recipients": "niemand",
        "subject": "Pläne",
        "content": "Hallo",
        "submit": "1",
    }
    response = client.post("/messages/new", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert in_language(catalogues, "de", "No member is called %(name)s.", name="niemand") in text

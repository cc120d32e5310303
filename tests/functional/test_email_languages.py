"""Emails are written in their recipient's language, not in the language of the page
(or the job) that sends them: rendered inside Flask-Babel's ``force_locale`` with the
member's preference, or ``DEFAULT_LANGUAGE`` when the site does not offer it.

A tiny German catalogue compiled for the test (``tests/catalogues.py``) stands in for
forumapp's: each email template records the locale and what the catalogue answers
while it is rendered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, before_render_template
from flask.testing import FlaskClient
from flask_babel import get_locale, gettext
from jinja2 import Template
from sqlalchemy import update

from forumapp.extensions import db
from forumapp.users.models import User
from tests.catalogues import compile_catalogue
from tests.conftest import MakeUser, csrf_token, register
from tests.forum_world import World
from tests.notification_support import members

LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español", "ar": "العربية"}
#: A msgid of the catalogue and its German translation.
PROBE, GERMAN_PROBE = "Language", "Sprache"


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict[str, Any]:
    """Four languages on offer, and a German catalogue of one message."""
    folder = compile_catalogue(tmp_path / "translations", "de", {PROBE: GERMAN_PROBE})
    return {"LANGUAGES": LANGUAGES, "BABEL_TRANSLATION_DIRECTORIES": str(folder)}


@dataclass(frozen=True)
class Rendering:
    """One email template being rendered: in which locale, with which catalogue."""

    template: str
    locale: str
    probe: str


@pytest.fixture
def renderings(app: Flask) -> Iterator[list[Rendering]]:
    """Every email template rendered during the test, in order."""
    seen: list[Rendering] = []

    def record(_sender: Flask, template: Template, context: dict[str, Any], **_: Any) -> None:
        if "email/" in (template.name or ""):
            seen.append(Rendering(template.name or "", str(get_locale()), gettext(PROBE)))

    before_render_template.connect(record, app)
    yield seen
    before_render_template.disconnect(record, app)


def set_language(app: Flask, user_id: int, language: str) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(language=language))
        db.session.commit()


def ask_for_a_reset(client: FlaskClient, email: str, *, page_language: str) -> None:
    """Ask for a password reset email from a page in ``page_language``."""
    page = "/auth/reset-password"
    answer = client.post(
        page,
        data={"email": email, "csrf_token": csrf_token(client, page)},
        headers={"Accept-Language": page_language},
    )
    assert answer.status_code == 302


def assert_all_in(renderings: list[Rendering], folder: str, locale: str) -> None:
    mine = [rendering for rendering in renderings if f"email/{folder}/" in rendering.template]
    assert mine, [rendering.template for rendering in renderings]
    expected = GERMAN_PROBE if locale == "de" else PROBE
    assert {(rendering.locale, rendering.probe) for rendering in mine} == {(locale, expected)}


def test_the_activation_email_is_in_the_language_chosen_at_registration(
    client: FlaskClient, outbox: list[Any], renderings: list[Rendering]
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert register(client, language="de").status_code == 302
    assert len(outbox) == 1
    assert_all_in(renderings, "auth", "de")


@pytest.mark.parametrize(
    ("stored", "page", "written"),
    [
        ("de", "en", "de"),  # asked for from an English page: German for a German member
        ("fr", "de", "en"),  # a language the site does not offer: the default, not the page's
    ],
)
def test_a_reset_email_is_in_the_members_language_whatever_the_pages(
    app: Flask,
    client: FlaskClient,
    make_user: MakeUser,
    outbox: list[Any],
    renderings: list[Rendering],
    stored: str,
    page: str,
    written: str,
) -> None:
    set_language(app, make_user("greta").id, stored)
    ask_for_a_reset(client, "greta@example.org", page_language=page)
    assert len(outbox) == 1
    assert_all_in(renderings, "auth", written)


def test_a_notification_email_sent_during_someone_elses_request_is_in_the_recipients(
    world: World, app: Flask, outbox: list[Any], renderings: list[Rendering]
) -> None:
    alice, bob = members(world)
    set_language(app, alice.user_id, "de")
    bob.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    bob.start_topic(world.forum_a, content="What do you think, @alice?")
    assert len(outbox) == 1
    assert_all_in(renderings, "notifications", "de")


def test_a_digest_rendered_by_a_command_with_no_request_is_in_the_recipients_language(
    world: World, app: Flask, outbox: list[Any], renderings: list[Rendering]
) -> None:
    alice, bob = members(world)
    set_language(app, alice.user_id, "de")
    alice.watch("forum", world.forum_a, "watching")
    bob.start_topic(world.forum_a, title="News")
    result = app.test_cli_runner().invoke(args=["notify", "send-digests", "daily"])
    assert result.exit_code == 0, result.output
    assert len(outbox) == 1
    assert_all_in(renderings, "notifications", "de")


def test_outside_a_request_the_locale_is_the_sites_default(app: Flask) -> None:
    app.config["DEFAULT_LANGUAGE"] = "de"
    with app.app_context():
        assert str(get_locale()) == "de"
        assert gettext(PROBE) == GERMAN_PROBE

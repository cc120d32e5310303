"""The second-language pass: the main pages as a guest, a member and an administrator in
every shipped language: no server error, ``<html lang>`` of the language, and none of
the catalogue's English sentences left in what people read; Arabic plurals in all six
forms.

It reads forumapp's real catalogues (``forumapp/translations``): an English sentence on a
translated page is a string left out of gettext, or a translation missing at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import ngettext
from sqlalchemy import update

from forumapp.extensions import db
from forumapp.formatting import number, reader_locale
from forumapp.i18n import TRANSLATIONS
from forumapp.users.models import User
from tests.api_support import api_as
from tests.conftest import AuthActions, skip_on_postgresql
from tests.forum_world import World

pytestmark = skip_on_postgresql("which words a page shows does not depend on the database")

SHIPPED = ("de", "es", "ar")
ROLES = {"guest": None, "member": "alice", "admin": "root"}
#: Pages everyone may ask for; members' and staff pages answer guests with a redirect.
PAGES = (
    "/",
    "/forum/{forum}",
    "/topic/{topic}",
    "/search?q=hello",
    "/members",
    "/new",
    "/unread",
    "/auth/login",
    "/auth/register",
    "/settings/profile",
    "/settings/preferences",
    "/settings/security",
    "/settings/sessions",
    "/settings/notifications",
    "/settings/tokens",
    "/messages/",
    "/messages/new",
    "/notifications",
    "/admin/",
    "/admin/users",
    "/admin/reports",
)
#: How many of them each role is shown (the others redirect, or refuse a member).
PAGES_SHOWN = {"guest": 8, "member": 16, "admin": 19}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]")
NAMED = re.compile(r"%\((\w+)\)([sdifr])")
TEMPLATE_SUFFIXES = (".html", ".txt", ".xml")
#: Counts that fall in each of Arabic's six plural forms, in order.
ARABIC_COUNTS = (0, 1, 2, 3, 11, 100)


def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def english_sentences(language: str) -> list[str]:
    """The catalogue's English texts of three words or more whose translation differs,
    without placeholders or markup: found verbatim on a page, they were not translated."""
    return sorted(
        str(message.id)
        for message in catalogue(language)
        if isinstance(message.id, str)
        and len(message.id.split()) >= 3
        and message.string
        and message.string != message.id
        and not PLACEHOLDER.search(message.id)
        and "<" not in message.id
    )


class _ReadText(HTMLParser):
    """What a reader sees or hears: text outside scripts and styles, and the attributes
    screen readers and tooltips read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("title", "alt", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def read_text(page: str) -> str:
    parser = _ReadText()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def left_in_english(text: str, sentences: list[str], app: Flask) -> list[str]:
    # The site's name and description are configuration, written in the owner's language.
    for configured in (app.config["SITE_NAME"], app.config["SITE_DESCRIPTION"]):
        text = text.replace(str(configured), " ")
    return [sentence for sentence in sentences if sentence in text]


def client_for(world: World, role: str, language: str) -> FlaskClient:
    """A browser of ``role`` that asks for ``language`` (a member's stored preference,
    a guest's Accept-Language)."""
    client = world.app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    username = ROLES[role]
    if username is not None:
        with world.app.app_context():
            db.session.execute(
                update(User).where(User.id == world.users[role]).values(language=language)
            )
            db.session.commit()
        assert AuthActions(client).login(username).status_code == 302
    return client


def pages(world: World) -> Iterator[str]:
    topic = world.topic(title="Hello")
    world.reply(topic)
    for page in PAGES:
        yield page.format(forum=world.forum_a, topic=topic)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", SHIPPED)
def test_the_main_pages_are_wholly_in_the_language(
    world: World, app: Flask, language: str, role: str
) -> None:
    sentences = english_sentences(language)
    assert sentences, f"the {language} catalogue has no sentences to look for"
    client = client_for(world, role, language)
    shown = 0
    for path in pages(world):
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200:
            continue
        page = response.get_data(as_text=True)
        assert re.search(rf'<html lang="{language}"', page), (path, page[:200])
        english = left_in_english(read_text(page), sentences, app)
        assert not english, f"{path} as {role} in {language}: English left: {english}"
        shown += 1
    assert shown >= PAGES_SHOWN[role], "fewer pages than expected answered 200"


@pytest.mark.parametrize("role", ["guest", "member"])
@pytest.mark.parametrize("language", SHIPPED)
def test_api_problems_are_in_the_language(
    world: World, app: Flask, client: FlaskClient, language: str, role: str
) -> None:
    sentences = english_sentences(language)
    api = api_as(world, client, role)
    if role != "guest":
        with app.app_context():
            db.session.execute(
                update(User).where(User.id == world.users[role]).values(language=language)
            )
            db.session.commit()
    headers = {"Accept-Language": language}
    answers = [api.get("/topics/999999", headers=headers)]
    if role != "guest":
        answers.append(api.post("/topics/", {"title": "Only a title"}, headers=headers))
    assert [answer.status_code for answer in answers] == [404, 422][: len(answers)]
    for answer in answers:
        document: dict[str, Any] = answer.get_json(force=True)
        texts = [str(document.get("title", "")), str(document.get("detail", ""))] + [
            str(error.get("message", "")) for error in document.get("errors", [])
        ]
        english = left_in_english(" ".join(texts), sentences, app)
        assert not english, f"API {answer.status_code} in {language}: English left: {english}"


def test_arabic_plurals_take_each_of_their_six_forms(app: Flask) -> None:
    plurals = [message for message in catalogue("ar") if message.pluralizable]
    assert plurals, "the Arabic catalogue has no plural messages"
    with app.test_request_context("/", headers={"Accept-Language": "ar"}):
        locale = reader_locale()
        assert str(locale) == "ar"
        for message in plurals:
            singular, plural = message.id
            forms = list(message.string)
            assert len(forms) == 6, message.id
            # Stand-ins for the other named values, of the type each conversion takes.
            values: dict[str, object] = {
                name: 7 if kind in "dif" else "X"
                for name, kind in NAMED.findall(singular + plural)
                if name != "num"
            }
            in_templates = any(path.endswith(TEMPLATE_SUFFIXES) for path, _ in message.locations)
            for form, count in enumerate(ARABIC_COUNTS):
                if in_templates:  # the templates' ngettext writes the count as Arabic does
                    shown = render_template_string(
                        "{{ ngettext(singular, plural, n, **values) }}",
                        singular=singular,
                        plural=plural,
                        n=count,
                        values=values,
                    )
                    expected = forms[form] % {**values, "num": number(count, locale)}
                else:
                    shown = ngettext(singular, plural, count, **values)
                    expected = forms[form] % {**values, "num": count}
                assert shown == expected, (message.id, count)

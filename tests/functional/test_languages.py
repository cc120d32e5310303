"""The page's language through the test client: ``<html lang dir>``, the language menu for
guests and members, and bad input (a forged cookie, an unknown language, a missing CSRF
token) that falls back instead of failing."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.i18n.selection import COOKIE_NAME
from forumapp.users.models import User
from tests.conftest import AuthActions, MakeUser, csrf_token

LANGUAGES = {"en": "English", "de": "Deutsch", "ar": "العربية"}


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """English, German and Arabic (written right to left) on offer."""
    return {"LANGUAGES": LANGUAGES}


def html_tag(client: FlaskClient, path: str = "/", **headers: str) -> str:
    page = client.get(path, headers=headers).get_data(as_text=True)
    match = re.search(r"<html[^>]*>", page)
    assert match, page[:200]
    return match.group(0)


def choose(client: FlaskClient, language: str, next_page: str = "/") -> Any:
    token = csrf_token(client, next_page)
    return client.post(
        "/language", data={"language": language, "next": next_page, "csrf_token": token}
    )


def stored_language(app: Flask, username: str) -> str:
    with app.app_context():
        return db.session.execute(
            db.select(User.language).where(User.username == username)
        ).scalar_one()


def test_the_browsers_language_sets_html_lang(client: FlaskClient) -> None:
    assert (
        html_tag(client, **{"Accept-Language": "de-CH, de;q=0.9"}) == '<html lang="de" dir="ltr">'
    )
    assert html_tag(client, **{"Accept-Language": "fr"}) == '<html lang="en" dir="ltr">'


def test_a_right_to_left_language_sets_dir(client: FlaskClient) -> None:
    assert html_tag(client, **{"Accept-Language": "ar"}) == '<html lang="ar" dir="rtl">'


def test_a_guest_switches_with_the_menu_and_the_cookie_keeps_it(client: FlaskClient) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'action="/language"' in page and 'for="language-menu-choice"' in page
    answer = choose(client, "de", "/auth/login?next=/settings/profile")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/auth/login?next=/settings/profile"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=de;") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert html_tag(client, **{"Accept-Language": "ar"}) == '<html lang="de" dir="ltr">'


def test_a_members_choice_is_stored_and_follows_them(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: MakeUser
) -> None:
    make_user("alice")
    auth.login()
    assert choose(client, "ar").status_code == 302
    assert stored_language(app, "alice") == "ar"
    other_browser = app.test_client()
    AuthActions(other_browser).login()
    assert html_tag(other_browser) == '<html lang="ar" dir="rtl">'


def test_registration_defaults_to_the_pages_language(client: FlaskClient) -> None:
    page = client.get("/auth/register", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<option selected value="de">Deutsch</option>' in page


@pytest.mark.parametrize("language", ["fr", "", "de\x00", "x" * 300])
def test_a_language_not_offered_is_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: MakeUser, language: str
) -> None:
    make_user("alice")
    auth.login()
    answer = choose(client, language)
    assert 400 <= answer.status_code < 500
    assert "<!doctype html>" in answer.get_data(as_text=True).lower()
    assert COOKIE_NAME not in answer.headers.get("Set-Cookie", "")
    assert stored_language(app, "alice") == "en"


def test_switching_language_needs_a_csrf_token(client: FlaskClient) -> None:
    answer = client.post("/language", data={"language": "de", "next": "/"})
    assert 400 <= answer.status_code < 500
    assert COOKIE_NAME not in answer.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_the_menu_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    token = csrf_token(client)
    answer = client.post("/language", data={"language": "de", "next": target, "csrf_token": token})
    assert answer.headers["Location"] == "/"


def test_a_forged_cookie_falls_back_with_a_warning_never_a_500(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.set_cookie(COOKIE_NAME, "../../xx")
    with caplog.at_level(logging.WARNING, logger="forumapp.i18n.selection"):
        tag = html_tag(client, **{"Accept-Language": "q=;;,de;q=abc, ,"})
    assert tag in ('<html lang="en" dir="ltr">', '<html lang="de" dir="ltr">')
    assert any("cookie" in record.getMessage() for record in caplog.records)


def test_one_language_shows_no_menu(app: Flask, client: FlaskClient) -> None:
    app.config["LANGUAGES"] = {"en": "English"}
    page = client.get("/").get_data(as_text=True)
    assert 'action="/language"' not in page
    assert html_tag(client, **{"Accept-Language": "de"}) == '<html lang="en" dir="ltr">'


def test_template_plurals_group_the_count_as_the_page_language_does(app: Flask) -> None:
    template = '{{ ngettext("%(num)s post", "%(num)s posts", n) }}'
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template, n=1) == "1 post"
        assert render_template_string(template, n=1234) == "1,234 posts"
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert render_template_string(template, n=1234) == "1.234 Beiträge"

"""The profile and preferences pages through the test client: saving, refusals, what
other members see, signatures under posts, and times in the reader's zone."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import Post
from forumapp.users.models import User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_management_settings import save as save_settings

PROFILE = {
    "display_name": "Alice Example",
    "about": "I keep *walruses*.",
    "location": "Tromsø",
    "website": "https://alice.example/",
    "signature": "-- **Alice**, walrus keeper",
}
PREFERENCES = {"language": "en", "timezone": "UTC", "posts_per_page": ""}
XSS = '<script>alert("x")</script>[click](javascript:alert(1)) <img src=x onerror=alert(1)>'


def save_profile(client: FlaskClient, **changes: str) -> Any:
    return post_form(client, "/settings/profile", **{**PROFILE, **changes})


def save_preferences(client: FlaskClient, **changes: str) -> Any:
    return post_form(client, "/settings/preferences", **{**PREFERENCES, **changes})


def member_row(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.scalar(
            select(User).where(User.id == user_id).execution_options(populate_existing=True)
        )
        assert user is not None
        # Read the deferred columns now, inside the context.
        _ = (user.about, user.about_html, user.signature, user.signature_html)
        db.session.expunge(user)
        return user


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.fixture
def alice(client: FlaskClient, world: World, auth: AuthActions) -> int:
    """The member "alice", logged in."""
    login_as(auth, world, "member")
    return world.users["member"]


# -- the profile page -----------------------------------------------------------------------


def test_saving_the_profile_stores_it_and_shows_it_on_the_public_profile(
    app: Flask, client: FlaskClient, alice: int
) -> None:
    response = save_profile(client)
    assert response.status_code == 302
    assert response.location == "/settings/profile"
    assert "Your profile is saved." in text_of(client.get("/settings/profile"))

    user = member_row(app, alice)
    assert (user.display_name, user.location, user.website) == (
        "Alice Example",
        "Tromsø",
        "https://alice.example/",
    )
    assert user.about_html == "<p>I keep <em>walruses</em>.</p>\n"

    public = text_of(client.get("/user/alice"))
    assert "Alice Example" in public and "Tromsø" in public
    assert "<p>I keep <em>walruses</em>.</p>" in public
    assert '<a href="https://alice.example/" rel="nofollow ugc noopener">' in public


def test_the_form_shows_what_was_saved(client: FlaskClient, alice: int) -> None:
    save_profile(client)
    page = text_of(client.get("/settings/profile"))
    assert 'value="Alice Example"' in page
    assert "-- **Alice**, walrus keeper</textarea>" in page


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://x.org"]
)
def test_a_website_that_is_not_http_or_https_is_a_field_error(
    app: Flask, client: FlaskClient, alice: int, website: str
) -> None:
    response = save_profile(client, website=website)
    assert response.status_code == 200
    page = text_of(response)
    assert 'id="website-error"' in page and "http:// or https://" in page
    assert member_row(app, alice).website == ""


def test_a_too_long_signature_is_a_field_error_and_nothing_is_saved(
    app: Flask, client: FlaskClient, alice: int
) -> None:
    response = save_profile(client, signature="s" * 501)
    assert response.status_code == 200
    assert 'id="signature-error"' in text_of(response)
    assert "Use at most 500 characters." in text_of(response)
    user = member_row(app, alice)
    assert (user.signature, user.display_name) == ("", "")
    assert save_profile(client, signature="s" * 500).status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "Ali\x00ce"),
        ("location", "Oslo\nNorway"),
        ("website", "https://a.example/\x07"),
        ("about", "Hello\x1b[31m"),
        ("signature", "bye\x7f"),
    ],
)
def test_control_characters_are_refused_in_every_profile_field(
    app: Flask, client: FlaskClient, alice: int, field: str, value: str
) -> None:
    response = save_profile(client, **{field: value})
    assert response.status_code == 200
    assert f'id="{field}-error"' in text_of(response)
    assert "control characters" in text_of(response)
    assert member_row(app, alice).display_name == ""


def test_xss_in_about_and_signature_is_sanitized_where_it_is_shown(
    app: Flask, client: FlaskClient, world: World, alice: int
) -> None:
    assert save_profile(client, about=XSS, signature=XSS).status_code == 302
    topic = world.topic("member")
    for page in (text_of(client.get("/user/alice")), text_of(client.get(f"/topic/{topic}"))):
        assert "<script>alert" not in page
        assert 'href="javascript' not in page
        assert "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in text_of(client.get("/user/alice"))


def test_profile_saves_are_limited_per_member(app: Flask, client: FlaskClient, alice: int) -> None:
    app.config["ACCOUNT_SETTINGS_LIMIT"] = "2 per hour"
    assert save_profile(client).status_code == 302
    assert save_preferences(client).status_code == 302
    # One budget for both pages.
    assert save_profile(client).status_code == 429
    assert save_preferences(client).status_code == 429


def test_settings_pages_need_a_login(client: FlaskClient) -> None:
    for path in ("/settings/profile", "/settings/preferences"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/auth/login")


def test_the_settings_menu_links_both_pages(client: FlaskClient, alice: int) -> None:
    page = text_of(client.get("/settings/preferences"))
    assert '<a href="/settings/profile">Profile</a>' in page
    assert '<a href="/settings/preferences" aria-current="page">Preferences</a>' in page


# -- signatures under posts -----------------------------------------------------------------


def test_the_signature_is_shown_under_each_post_of_its_member(
    client: FlaskClient, world: World, alice: int
) -> None:
    save_profile(client)
    topic = world.topic("member")
    world.reply(topic, "member2")
    world.reply(topic, "member")
    page = text_of(client.get(f"/topic/{topic}"))
    signature = '<aside class="signature small" aria-label="Signature of alice">'
    assert page.count(signature) == 2
    assert "<strong>Alice</strong>, walrus keeper" in page
    assert 'aria-label="Signature of bob"' not in page


def test_signatures_are_hidden_everywhere_when_the_site_setting_is_off(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "member")
    save_profile(client)
    topic = world.topic("member")
    auth.logout()
    login_as(auth, world, "admin")
    page = text_of(client.get("/admin/settings"))
    assert 'name="SIGNATURES_ENABLED" id="SIGNATURES_ENABLED" value="y" checked' in page
    # The panel's form leaves an unticked box out.
    assert save_settings(client, SIGNATURES_ENABLED=None).status_code == 302  # type: ignore[attr-defined]
    assert app.config["SIGNATURES_ENABLED"] is False
    assert "walrus keeper" not in text_of(client.get(f"/topic/{topic}"))
    assert save_settings(client).status_code == 302  # type: ignore[attr-defined]
    assert "walrus keeper" in text_of(client.get(f"/topic/{topic}"))


# -- preferences ----------------------------------------------------------------------------


def test_saving_preferences_stores_them(app: Flask, client: FlaskClient, alice: int) -> None:
    response = save_preferences(client, timezone="Asia/Tokyo", posts_per_page="30")
    assert response.status_code == 302
    assert response.location == "/settings/preferences"
    user = member_row(app, alice)
    assert (user.language, user.timezone, user.posts_per_page) == ("en", "Asia/Tokyo", 30)
    page = text_of(client.get("/settings/preferences"))
    assert "Your preferences are saved." in page
    assert '<option selected value="Asia/Tokyo">Asia/Tokyo</option>' in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "../../../etc/passwd"),
        ("timezone", "Europe/Paris\x00"),
        ("language", "klingon"),
        ("posts_per_page", "1000000"),
        ("posts_per_page", "many"),
    ],
)
def test_a_value_outside_the_choices_is_a_field_error(
    app: Flask, client: FlaskClient, alice: int, field: str, value: str
) -> None:
    response = save_preferences(client, **{field: value})
    assert response.status_code == 200
    assert f'id="{field}-error"' in text_of(response)
    user = member_row(app, alice)
    assert (user.timezone, user.posts_per_page) == (None, None)


def test_the_topic_page_uses_the_members_page_size_and_guests_the_sites(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, alice: int
) -> None:
    app.config["POSTS_PER_PAGE"] = 20
    topic = world.topic("member2")
    for _ in range(11):
        world.reply(topic, "member2")
    save_preferences(client, posts_per_page="10")
    assert text_of(client.get(f"/topic/{topic}")).count('class="card post') == 10
    with app.app_context():
        last = db.session.scalar(select(Post.id).where(Post.topic_id == topic, Post.number == 12))
    # The permalink finds the post on the member's pages.
    assert client.get(f"/post/{last}").location == f"/topic/{topic}?page=2#post-{last}"
    auth.logout()
    assert text_of(client.get(f"/topic/{topic}")).count('class="card post') == 12
    assert client.get(f"/post/{last}").location == f"/topic/{topic}#post-{last}"


# -- times in the reader's zone -------------------------------------------------------------


def times_on(page: str) -> list[tuple[str, str, str]]:
    """The ``(datetime, title, text)`` of every ``<time>`` element of a page."""
    return re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', page)


def test_times_are_shown_in_the_members_zone_and_in_the_sites_for_guests(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, alice: int
) -> None:
    topic = world.topic("member")
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.topic_id == topic))
        assert post is not None
        created = post.created_at
    save_preferences(client, timezone="Asia/Kathmandu")  # UTC+05:45, no summer time
    stamp = created.isoformat(timespec="seconds")
    for path in (f"/topic/{topic}", f"/forum/{world.forum_a}", "/user/alice", "/"):
        times = [t for t in times_on(text_of(client.get(path))) if t[0] == stamp]
        assert times, path
        for _iso, title, shown in times:
            assert title.endswith(" Asia/Kathmandu")
            local = created.astimezone(ZoneInfo("Asia/Kathmandu"))
            # The text says how long ago; the title has the date in the member's zone.
            in_full = (
                f"{format_date(local, 'full', locale='en')}, {format_time(local, locale='en')}"
            )
            assert title == f"{in_full} Asia/Kathmandu", path
            # "3 hours ago", or the month of "joined ..." when a member joined that second.
            assert shown.endswith(" ago") or shown == local.strftime("%b %Y"), path
    auth.logout()
    app.config["DEFAULT_TIMEZONE"] = "America/St_Johns"
    times = [t for t in times_on(text_of(client.get(f"/topic/{topic}"))) if t[0] == stamp]
    assert times and all(title.endswith(" America/St_Johns") for _, title, _ in times)

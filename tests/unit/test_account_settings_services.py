"""The profile and preferences services over a fake session: no Flask, no database."""

from __future__ import annotations

from typing import Any

import pytest

from forumapp.account.preferences.services import (
    UNKNOWN_LANGUAGE,
    UNKNOWN_PAGE_SIZE,
    UNKNOWN_TIMEZONE,
    PreferenceChoices,
    Preferences,
    PreferencesService,
)
from forumapp.account.profile.services import (
    SIGNATURE_MAX_LENGTH,
    WEBSITE_SCHEME,
    ProfileService,
    ProfileText,
    profile_problems,
)
from forumapp.config_rules import configuration_problems
from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.forum.markdown import render_markdown
from forumapp.text import CONTROL_CHARACTERS
from forumapp.users.models import User
from tests.fakes import FakeTransaction


class FakeSession(FakeTransaction):
    """Members by id, and the commits and rollbacks of the service's transactions."""

    def __init__(self, *users: User) -> None:
        super().__init__()
        self.users = {user.id: user for user in users}

    def get(self, model: type[Any], ident: int) -> Any:
        assert model is User
        return self.users.get(ident)


def member(**values: Any) -> User:
    """A member row as the service finds it (the model's defaults are applied on insert)."""
    fields = {
        "id": 7,
        "username": "ann",
        "display_name": "",
        "about": "",
        "about_html": "",
        "location": "",
        "website": "",
        "signature": "",
        "signature_html": "",
        "language": "en",
        "theme": "auto",
        "timezone": None,
        "posts_per_page": None,
        "notify_new_sign_in": True,
        "messages_from_members": True,
        "message_emails": True,
    }
    return User(**{**fields, **values})


class RecordingRenderer:
    """Renders Markdown like posts, and remembers what it was asked to render."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def __call__(self, source: str) -> str:
        self.sources.append(source)
        return render_markdown(source)


# -- profile ------------------------------------------------------------------------------


def test_saving_a_profile_stores_the_sources_and_their_html_in_one_transaction() -> None:
    ann = member()
    session, renderer = FakeSession(ann), RecordingRenderer()
    text = ProfileText("Ann A.", "I *like* walruses.", "Oslo", "https://ann.example", "-- **ann**")

    ProfileService(session, renderer).save(7, text)  # type: ignore[arg-type]

    assert (ann.display_name, ann.location, ann.website) == (
        "Ann A.",
        "Oslo",
        "https://ann.example",
    )
    assert ann.about == "I *like* walruses."
    assert "<em>like</em>" in ann.about_html
    assert ann.signature == "-- **ann**"
    assert "<strong>ann</strong>" in ann.signature_html
    assert renderer.sources == ["I *like* walruses.", "-- **ann**"]
    assert (session.commits, session.rollbacks) == (1, 0)


def test_markdown_is_sanitized_on_write_like_posts() -> None:
    ann = member()
    about = '<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror="alert(1)">'
    ProfileService(FakeSession(ann)).save(7, ProfileText(about=about, signature=about))  # type: ignore[arg-type]
    for html in (ann.about_html, ann.signature_html):
        assert html == render_markdown(about)
        assert "<script" not in html and 'href="javascript' not in html and "<img" not in html


def test_an_empty_about_and_signature_store_no_html() -> None:
    ann = member(about="old", about_html="<p>old</p>", signature="s", signature_html="<p>s</p>")
    renderer = RecordingRenderer()
    ProfileService(FakeSession(ann), renderer).save(7, ProfileText(about="  \n"))  # type: ignore[arg-type]
    assert (ann.about_html, ann.signature, ann.signature_html) == ("", "", "")
    assert renderer.sources == []


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org",
        "//evil.example",
        "example.org",
        "https://",
        "https://exa mple.org",
        "https:\\\\evil.example",
        "http://[::1",
    ],
)
def test_only_http_and_https_web_addresses_are_accepted(website: str) -> None:
    ann = member()
    session = FakeSession(ann)
    with pytest.raises(InvalidInput) as refused:
        ProfileService(session).save(7, ProfileText(website=website))  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.reason) == ("website", WEBSITE_SCHEME)
    assert ann.website == "" and session.commits == 0


def test_http_and_https_addresses_are_kept_as_written() -> None:
    for website in ("http://example.org", "https://example.org/~ann?x=1#top"):
        assert profile_problems(ProfileText(website=website)) == []


def test_a_signature_over_the_limit_is_refused_and_nothing_is_written() -> None:
    ann = member(signature="kept")
    session = FakeSession(ann)
    text = ProfileText(signature="x" * (SIGNATURE_MAX_LENGTH + 1))
    with pytest.raises(InvalidInput) as refused:
        ProfileService(session).save(7, text)  # type: ignore[arg-type]
    assert refused.value.field == "signature"
    assert ann.signature == "kept" and session.commits == 0
    assert profile_problems(ProfileText(signature="x" * SIGNATURE_MAX_LENGTH)) == []


@pytest.mark.parametrize("field", ["display_name", "about", "location", "website", "signature"])
def test_control_characters_are_refused_in_every_field(field: str) -> None:
    text = ProfileText(**{field: "bad\x00value"})
    assert profile_problems(text)[0] == (field, CONTROL_CHARACTERS)


def test_line_breaks_are_text_in_about_and_signature_but_not_in_one_line_fields() -> None:
    assert profile_problems(ProfileText(about="a\r\nb\tc", signature="a\nb")) == []
    assert profile_problems(ProfileText(location="a\nb")) == [("location", CONTROL_CHARACTERS)]


def test_the_profile_of_a_member_that_is_gone_is_not_found() -> None:
    service = ProfileService(FakeSession())  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        service.profile_of(7)
    with pytest.raises(NotFound):
        service.save(7, ProfileText())


def test_the_profile_reads_back_as_written() -> None:
    ann = member(display_name="Ann", about="*hi*", location="Oslo", signature="s")
    text = ProfileService(FakeSession(ann)).profile_of(7)  # type: ignore[arg-type]
    assert text == ProfileText("Ann", "*hi*", "Oslo", "", "s")


# -- preferences --------------------------------------------------------------------------

CHOICES = PreferenceChoices(
    languages={"en": "English", "de": "Deutsch"},
    timezones=frozenset({"UTC", "Europe/Berlin", "Asia/Tokyo"}),
    default_timezone="UTC",
    default_page_size=20,
)


def test_saving_preferences_stores_them_in_one_transaction() -> None:
    ann = member()
    session = FakeSession(ann)
    PreferencesService(session, CHOICES).save(7, Preferences("de", "Asia/Tokyo", 50))  # type: ignore[arg-type]
    assert (ann.language, ann.timezone, ann.posts_per_page) == ("de", "Asia/Tokyo", 50)
    assert session.commits == 1


def test_no_page_size_means_the_sites_and_no_zone_shows_the_sites_zone() -> None:
    ann = member(posts_per_page=30, timezone=None)
    service = PreferencesService(FakeSession(ann), CHOICES)  # type: ignore[arg-type]
    assert service.preferences_of(7) == Preferences("en", "UTC", 30)
    service.save(7, Preferences("en", "Europe/Berlin", None))
    assert ann.posts_per_page is None


@pytest.mark.parametrize(
    ("preferences", "field", "reason"),
    [
        (Preferences("xx", "UTC", None), "language", UNKNOWN_LANGUAGE),
        (Preferences("en", "Mars/Olympus_Mons", None), "timezone", UNKNOWN_TIMEZONE),
        (Preferences("en", "../../etc/passwd", None), "timezone", UNKNOWN_TIMEZONE),
        (Preferences("en", "UTC", 1000), "posts_per_page", UNKNOWN_PAGE_SIZE),
        (Preferences("en", "UTC", 0), "posts_per_page", UNKNOWN_PAGE_SIZE),
    ],
)
def test_values_outside_the_choices_are_refused_and_nothing_is_written(
    preferences: Preferences, field: str, reason: str
) -> None:
    ann = member()
    session = FakeSession(ann)
    with pytest.raises(InvalidInput) as refused:
        PreferencesService(session, CHOICES).save(7, preferences)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.reason) == (field, reason)
    assert (ann.language, ann.timezone, ann.posts_per_page) == ("en", None, None)
    assert session.commits == 0


# -- configuration --------------------------------------------------------------------------


def test_a_default_time_zone_that_is_no_iana_name_stops_the_start_naming_the_key() -> None:
    [problem] = configuration_problems({"DEFAULT_TIMEZONE": "Mars/Olympus_Mons"})
    assert problem.startswith("DEFAULT_TIMEZONE must be an IANA time zone name")
    assert configuration_problems({"DEFAULT_TIMEZONE": "Europe/Paris"}) == []
    assert configuration_problems({"SIGNATURES_ENABLED": "yes"})[0].startswith(
        "SIGNATURES_ENABLED must be true or false"
    )


def test_a_theme_outside_the_list_is_refused_and_nothing_is_written() -> None:
    ann = member()
    session = FakeSession(ann)
    service = PreferencesService(session, CHOICES)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as refused:
        service.save(7, Preferences("de", "UTC", None, theme="sepia"))
    assert refused.value.field == "theme"
    assert (ann.language, ann.theme, session.commits) == ("en", "auto", 0)
    service.save(7, Preferences("en", "UTC", None, theme="dark"))
    assert (ann.theme, session.commits) == ("dark", 1)
    assert service.preferences_of(7).theme == "dark"

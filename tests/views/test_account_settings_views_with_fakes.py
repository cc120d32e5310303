"""The profile and preferences views with fake services injected through ``as_view``:
the account blueprint mounted in a bare Flask app (no database) next to the auth
blueprint, the member handed to the services as an argument."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask
from flask_login import LoginManager

from forumapp.account import create_account_blueprint, default_factories
from forumapp.account.limits import settings_saves_per_member
from forumapp.account.preferences.services import PreferenceChoices, Preferences
from forumapp.account.preferences.views import PreferencesSettings
from forumapp.account.profile.services import ProfileText
from forumapp.account.profile.views import ProfileSettings
from forumapp.auth import AuthFactories, create_auth_blueprint
from forumapp.auth.decorators import login_required
from forumapp.forum.errors import InvalidInput, NotFound
from tests.fakes import FakeUser

MEMBER = FakeUser(id=8, username="ann", email="ann@example.org", password_hash="x")
CHOICES = PreferenceChoices(
    languages={"en": "English", "fr": "Français"},
    timezones=frozenset({"UTC", "Europe/Paris"}),
    default_timezone="UTC",
    default_page_size=20,
)


class FakeProfiles:
    """Records saves; answers reads with ``current``; raises ``refusal`` when given one."""

    def __init__(self, refusal: Exception | None = None) -> None:
        self.current = ProfileText(display_name="Ann", website="https://ann.example")
        self.saved: list[tuple[int, ProfileText]] = []
        self.read_for: list[int] = []
        self.refusal = refusal

    def profile_of(self, user_id: int) -> ProfileText:
        self.read_for.append(user_id)
        if isinstance(self.refusal, NotFound):
            raise self.refusal
        return self.current

    def save(self, user_id: int, text: ProfileText) -> None:
        if self.refusal is not None:
            raise self.refusal
        self.saved.append((user_id, text))


class FakePreferences:
    """Records saves, with the choices the form offers."""

    choices = CHOICES

    def __init__(self, refusal: Exception | None = None) -> None:
        self.saved: list[tuple[int, Preferences]] = []
        self.refusal = refusal

    def preferences_of(self, user_id: int) -> Preferences:
        return Preferences("fr", "Europe/Paris", 30)

    def save(self, user_id: int, preferences: Preferences) -> None:
        if self.refusal is not None:
            raise self.refusal
        self.saved.append((user_id, preferences))


def refuse() -> Any:
    """A factory the views under test may not call."""
    raise AssertionError("a view reached for a service it was not given")


def bare_app(
    profiles: Any = None, preferences: Any = None, member: FakeUser | None = MEMBER
) -> Flask:
    """A host app with no database: auth and account blueprints over fakes."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="x",
        WTF_CSRF_ENABLED=False,
        HOME_ENDPOINT="home",
        REGISTRATION_ENABLED=False,
        DEFAULT_TIMEZONE="UTC",
    )
    login = LoginManager(app)
    login.request_loader(lambda request: member)
    login.login_view = "auth.login"
    app.add_url_rule("/", "home", lambda: "home")
    app.register_blueprint(
        create_auth_blueprint(
            AuthFactories(
                authentication_manager=refuse,
                reauthentication_manager=refuse,
                registration_service=refuse,
                password_reset_service=refuse,
                account_activator=refuse,
            )
        )
    )
    app.register_blueprint(
        create_account_blueprint(
            replace(
                default_factories(),
                profile_service=(lambda: profiles) if profiles else refuse,
                preferences_service=(lambda: preferences) if preferences else refuse,
            )
        )
    )
    return app


PROFILE_FORM = {
    "display_name": "  Ann Example ",
    "about": "I *like* walruses.",
    "location": "Oslo",
    "website": "https://ann.example",
    "signature": "-- ann",
}


def test_both_pages_declare_their_checks_as_class_decorators() -> None:
    for view_class in (ProfileSettings, PreferencesSettings):
        # The first decorator is the innermost: the member is known before counting.
        assert view_class.decorators == [settings_saves_per_member, login_required]
        assert view_class.init_every_request is False
    view = ProfileSettings.as_view("profile", profile_service_factory=refuse)
    assert view.view_class is ProfileSettings  # type: ignore[attr-defined]


def test_the_profile_form_shows_what_the_injected_service_reads_for_the_member() -> None:
    profiles = FakeProfiles()
    page = bare_app(profiles).test_client().get("/settings/profile")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'value="Ann"' in body and 'value="https://ann.example"' in body
    assert profiles.read_for == [8]
    assert 'aria-current="page">Profile</a>' in body


def test_saving_the_profile_hands_the_member_and_text_to_the_service_then_redirects() -> None:
    profiles = FakeProfiles()
    client = bare_app(profiles).test_client()
    response = client.post("/settings/profile", data=PROFILE_FORM)
    assert response.status_code == 302
    assert response.location == "/settings/profile"
    assert profiles.saved == [
        (
            8,
            ProfileText(
                "Ann Example", "I *like* walruses.", "Oslo", "https://ann.example", "-- ann"
            ),
        )
    ]
    assert "Your profile is saved." in client.get("/settings/profile").get_data(as_text=True)


def test_a_refusal_of_the_service_is_an_error_on_its_field() -> None:
    profiles = FakeProfiles(refusal=InvalidInput("website", "Refused by the fake."))
    response = bare_app(profiles).test_client().post("/settings/profile", data=PROFILE_FORM)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="website-error"' in body and "Refused by the fake." in body
    assert 'aria-describedby="website-hint website-error"' in body


def test_a_too_long_field_is_refused_by_the_form_before_the_service() -> None:
    profiles = FakeProfiles()
    data = {**PROFILE_FORM, "signature": "x" * 501}
    response = bare_app(profiles).test_client().post("/settings/profile", data=data)
    assert response.status_code == 200
    assert 'id="signature-error"' in response.get_data(as_text=True)
    assert profiles.saved == []


def test_a_member_the_service_cannot_find_is_a_404() -> None:
    profiles = FakeProfiles(refusal=NotFound())
    assert bare_app(profiles).test_client().get("/settings/profile").status_code == 404


def test_guests_never_reach_the_services() -> None:
    # The factories refuse: a view that reached for its service would answer 500.
    client = bare_app(member=None).test_client()
    for path in ("/settings/profile", "/settings/preferences"):
        # forumapp's login_required asks its own login manager: a 401 here, or the way to
        # its login page once a full forumapp app of the same process has set one.
        assert client.get(path).status_code in (302, 401)
        assert client.post(path, data=PROFILE_FORM).status_code in (302, 401)


def test_the_preferences_form_offers_the_services_choices_with_the_members_selected() -> None:
    body = bare_app(preferences=FakePreferences()).test_client().get("/settings/preferences")
    text = body.get_data(as_text=True)
    assert '<option selected value="fr">Français</option>' in text
    assert '<option selected value="Europe/Paris">Europe/Paris</option>' in text
    assert '<option selected value="30">30</option>' in text
    assert "The site&#39;s default (20)" in text


def test_saving_preferences_hands_typed_values_to_the_service() -> None:
    preferences = FakePreferences()
    client = bare_app(preferences=preferences).test_client()
    messages = {"messages_from_members": "y", "message_emails": "y"}
    data = {"language": "en", "timezone": "UTC", "posts_per_page": "", **messages}
    response = client.post("/settings/preferences", data=data)
    assert response.status_code == 302
    assert response.location == "/settings/preferences"
    client.post("/settings/preferences", data={**data, "posts_per_page": "50"})
    # A checkbox left unticked is not sent at all: that is the opt-out.
    client.post("/settings/preferences", data={**data, "notify_new_sign_in": "y"})
    client.post("/settings/preferences", data={"language": "en", "timezone": "UTC"})
    assert preferences.saved == [
        (8, Preferences("en", "UTC", None, notify_new_sign_in=False)),
        (8, Preferences("en", "UTC", 50, notify_new_sign_in=False)),
        (8, Preferences("en", "UTC", None, notify_new_sign_in=True)),
        (8, Preferences("en", "UTC", None, False, False, False)),
    ]


def test_an_unknown_time_zone_is_the_services_error_on_the_field() -> None:
    preferences = FakePreferences(refusal=InvalidInput("timezone", "No such zone (fake)."))
    data = {"language": "en", "timezone": "Mars/Olympus", "posts_per_page": "10"}
    response = (
        bare_app(preferences=preferences).test_client().post("/settings/preferences", data=data)
    )
    assert response.status_code == 200
    assert 'id="timezone-error"' in response.get_data(as_text=True)
    assert "No such zone (fake)." in response.get_data(as_text=True)


def test_a_page_size_that_is_no_number_is_a_field_error_not_a_500() -> None:
    preferences = FakePreferences()
    data = {"language": "en", "timezone": "UTC", "posts_per_page": "ten"}
    response = (
        bare_app(preferences=preferences).test_client().post("/settings/preferences", data=data)
    )
    assert response.status_code == 200
    assert 'id="posts_per_page-error"' in response.get_data(as_text=True)
    assert preferences.saved == []

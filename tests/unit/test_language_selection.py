"""Which language a page is in, and the language menu's service: plain values and fakes,
no Flask."""

from __future__ import annotations

import logging

import pytest

from forumapp.forum.errors import InvalidInput
from forumapp.i18n.selection import best_offered, choose_locale, text_direction
from forumapp.i18n.services import LanguageChoice
from tests.fakes import FakeTransaction

OFFERED = {"en": "English", "de": "Deutsch", "pt_BR": "Português (Brasil)", "ar": "العربية"}


def choose(
    member: str | None = None, cookie: str | None = None, accepted: tuple[str, ...] = ()
) -> str:
    return choose_locale(
        member_choice=member, cookie=cookie, accepted=accepted, offered=OFFERED, default="en"
    )


def test_the_members_choice_wins_over_the_cookie_and_the_browser() -> None:
    assert choose("de", cookie="ar", accepted=("pt-BR",)) == "de"


def test_a_guests_cookie_wins_over_the_browser() -> None:
    assert choose(cookie="ar", accepted=("de",)) == "ar"


def test_the_browsers_first_offered_language_comes_next() -> None:
    assert choose(accepted=("fr-FR", "fr", "pt-BR", "de")) == "pt_BR"


def test_a_regional_variant_falls_back_to_its_language() -> None:
    assert best_offered(["de-CH"], OFFERED) == "de"
    assert best_offered(["DE-at"], OFFERED) == "de"


def test_nothing_offered_means_the_site_default() -> None:
    assert choose(accepted=("fr", "*", "")) == "en"


@pytest.mark.parametrize("forged", ["xx", "../../etc", "de\x00", "x" * 500])
def test_a_cookie_or_preference_not_offered_is_passed_over_with_a_warning(
    forged: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="forumapp.i18n.selection"):
        assert choose(member=forged, cookie=forged, accepted=("de",)) == "de"
    assert len(caplog.records) == 2
    assert all(len(record.getMessage()) < 200 for record in caplog.records)


def test_right_to_left_languages_are_told_apart() -> None:
    assert text_direction("ar") == "rtl"
    assert text_direction("he") == "rtl"
    assert text_direction("de") == "ltr"
    assert text_direction("not a locale") == "ltr"


class RecordingLanguages:
    def __init__(self) -> None:
        self.saved: dict[int, str] = {}

    def set_language(self, user_id: int, code: str) -> None:
        self.saved[user_id] = code


def test_a_members_choice_is_stored_and_a_guests_is_not() -> None:
    members = RecordingLanguages()
    choice = LanguageChoice(members, FakeTransaction(), OFFERED)
    assert choice.choose(7, "de") == "de"
    assert choice.choose(None, "ar") == "ar"
    assert members.saved == {7: "de"}


def test_a_language_not_offered_is_refused_and_nothing_is_stored() -> None:
    members = RecordingLanguages()
    transaction = FakeTransaction()
    with pytest.raises(InvalidInput):
        LanguageChoice(members, transaction, OFFERED).choose(7, "fr")
    assert members.saved == {}

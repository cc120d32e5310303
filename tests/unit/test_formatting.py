"""Numbers and relative times through Babel, for any locale (no Flask needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forumapp.config_rules import configuration_problems
from forumapp.formatting import ago, locale_of, number

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
EN = locale_of("en")


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (7, "7"), (1234, "1,234"), (1_234_567, "1,234,567")]
)
def test_numbers_have_thousands_separators(value: int, shown: str) -> None:
    assert number(value, EN) == shown


def test_the_locale_decides_separators() -> None:
    assert number(1234567, locale_of("de")) == "1.234.567"


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(seconds=-5), "5 seconds ago"),
        (timedelta(hours=-3), "3 hours ago"),
        (timedelta(days=-1), "1 day ago"),
        (timedelta(days=-400), "1 year ago"),
        (timedelta(days=2), "in 2 days"),
    ],
)
def test_moments_read_relative_to_now(delta: timedelta, shown: str) -> None:
    assert ago(NOW + delta, NOW, EN) == shown


@pytest.mark.parametrize("language", ["xx", "", None, "not a locale", "en-GB", "pt_BR"])
def test_any_language_code_gives_a_locale(language: str | None) -> None:
    assert number(1000, locale_of(language)) in {"1,000", "1.000", "1 000", "1\xa0000"}


def test_the_compression_switch_must_be_true_or_false() -> None:
    [problem] = configuration_problems({"COMPRESS_REGISTER": "maybe"})
    assert "COMPRESS_REGISTER" in problem
    assert configuration_problems({"COMPRESS_REGISTER": False}) == []

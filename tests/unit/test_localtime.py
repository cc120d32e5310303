"""Dates and times written by Babel in the reader's language and zone (no Flask needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from forumapp.localtime import in_full, locale_of, written

#: A Friday evening in Berlin (UTC+1 in December), nine seconds past the minute.
MOMENT = datetime(2026, 12, 4, 18, 5, 9, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
RLM = "\u200f"  # the right-to-left mark CLDR puts in Arabic numeric dates


@pytest.mark.parametrize(
    ("language", "style", "shown"),
    [
        ("de", "datetime", "04.12.2026, 19:05"),
        ("de", "date", "4. Dez. 2026"),
        ("de", "month", "Dez. 2026"),
        ("de", "numeric", "4.12.2026"),
        ("es", "datetime", "4 dic 2026, 19:05"),
        ("es", "date", "4 dic 2026"),
        ("es", "month", "dic 2026"),
        ("es", "numeric", "4/12/2026"),
        ("ar", "datetime", f"04{RLM}/12{RLM}/2026، 7:05 م"),
        ("ar", "date", "4 ديسمبر 2026"),
        ("ar", "month", "ديسمبر 2026"),
        ("ar", "numeric", f"4{RLM}/12{RLM}/2026"),
    ],
)
def test_a_moment_is_written_in_the_readers_language_and_zone(
    language: str, style: str, shown: str
) -> None:
    assert written(MOMENT, style, BERLIN, locale_of(language)) == shown


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", "Freitag, 4. Dezember 2026, 19:05:09 Europe/Berlin"),
        ("es", "viernes, 4 de diciembre de 2026, 19:05:09 Europe/Berlin"),
        ("ar", "الجمعة، 4 ديسمبر 2026، 7:05:09 م Europe/Berlin"),
    ],
)
def test_the_full_date_names_the_day_the_second_and_the_zone(language: str, title: str) -> None:
    assert in_full(MOMENT, BERLIN, locale_of(language)) == title


def test_the_zone_moves_the_day_as_well_as_the_hour() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")  # 03:05 on the next day
    assert written(MOMENT, "date", tokyo, locale_of("de")) == "5. Dez. 2026"
    assert written(MOMENT, "datetime", tokyo, locale_of("es")) == "5 dic 2026, 3:05"


@pytest.mark.parametrize(
    ("strftime_format", "style"),
    [("%b %Y", "month"), ("%d %b %Y", "date"), ("%Y-%m-%d", "numeric")],
)
def test_an_old_strftime_format_is_read_as_its_style(strftime_format: str, style: str) -> None:
    german = locale_of("de")
    assert written(MOMENT, strftime_format, BERLIN, german) == written(
        MOMENT, style, BERLIN, german
    )

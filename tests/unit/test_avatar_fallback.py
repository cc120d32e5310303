"""The initials pictures: readable colours, stable per member, nothing but initials."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from forumapp.avatars.fallback import (
    PALETTE,
    TEXT_COLOUR,
    colour_of,
    initials_of,
    initials_svg,
)


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two colours."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("background", PALETTE)
def test_initials_contrast_with_every_background_meets_wcag_aa(background: str) -> None:
    assert contrast(TEXT_COLOUR, background) >= 4.5, background


def test_a_members_colour_comes_from_their_id_and_members_differ() -> None:
    assert colour_of(7) == colour_of(7)
    assert len({colour_of(user_id) for user_id in range(len(PALETTE))}) == len(PALETTE)


@pytest.mark.parametrize(
    ("name", "initials"),
    [("ann", "A"), ("ann_lee", "AL"), ("zoe.q.r", "ZQ"), ("r2-d2", "RD"), ("7up", "7"), ("", "X")],
)
def test_initials_of_usernames(name: str, initials: str) -> None:
    assert initials_of(name) == initials


def test_the_svg_is_well_formed_and_shows_the_initials_on_the_colour() -> None:
    root = ET.fromstring(initials_svg(3, "AL"))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}rect").get("fill") == colour_of(3)  # type: ignore[union-attr]
    assert root.find(f"{ns}text").text == "AL"  # type: ignore[union-attr]


@pytest.mark.parametrize("initials", ["", "abc", "<a>", "A&B", "ÉL"])
def test_anything_but_initials_is_refused(initials: str) -> None:
    with pytest.raises(ValueError, match="not initials"):
        initials_svg(1, initials)

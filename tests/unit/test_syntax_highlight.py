"""Highlighted code blocks: Pygments classes only, plain code for unknown languages, and
a shipped stylesheet that matches its generator."""

from __future__ import annotations

import re
from pathlib import Path

import nh3
import pytest

from forumapp.forum.markdown import _ATTRIBUTE_VALUES, RENDERER_VERSION, render_markdown
from forumapp.forum.syntax import (
    DARK_STYLE,
    LANGUAGES,
    LIGHT_STYLE,
    TOKEN_CLASSES,
    highlight_code,
    stylesheet,
)

ROOT = Path(__file__).resolve().parents[2]
PYTHON_POST = '```python\ndef greet(name):\n    return "<b>" + name\n```\n'


def test_a_known_language_is_highlighted_with_token_classes() -> None:
    rendered = render_markdown(PYTHON_POST)
    assert '<span class="k">def</span>' in rendered
    assert '<span class="nf">greet</span>' in rendered
    # The code's own markup stays text.
    assert "&lt;b&gt;" in rendered and "<b>" not in rendered


def test_every_span_carries_exactly_one_known_token_class() -> None:
    rendered = render_markdown(PYTHON_POST + "\n```js\nconst a = `x${1}`;\n```\n")
    classes = re.findall(r"<span([^>]*)>", rendered)
    assert classes
    for attributes in classes:
        match = re.fullmatch(r' class="([^"]+)"', attributes)
        assert match is not None, attributes
        assert match.group(1) in TOKEN_CLASSES


@pytest.mark.parametrize("fence", ["nosuchlanguage", "python&lt;", "", "../../etc", 'py"onclick'])
def test_an_unknown_language_shows_the_code_plain(fence: str) -> None:
    rendered = render_markdown(f"```{fence}\nx = <i>1</i>\n```\n")
    assert "<span" not in rendered
    assert "x = &lt;i&gt;1&lt;/i&gt;" in rendered


def test_languages_outside_the_list_are_not_highlighted_even_if_pygments_knows_them() -> None:
    assert "perl" not in LANGUAGES
    assert highlight_code("my $x = 1;", "perl") == ""


def test_the_sanitizer_drops_span_classes_pygments_never_emits() -> None:
    # The renderer's own sanitizer settings, applied to hostile span markup.
    dirty = '<span class="k">a</span><span class="k evil">b</span><span style="x" id="y">c</span>'
    cleaned = nh3.clean(dirty, tags={"span"}, attributes={}, tag_attribute_values=_ATTRIBUTE_VALUES)
    assert cleaned == '<span class="k">a</span><span>b</span><span>c</span>'


def test_the_renderer_version_changed_with_highlighting() -> None:
    # Posts rendered before highlighting are rendered again (see forumapp.forum.posting).
    assert RENDERER_VERSION >= 3


def test_the_shipped_stylesheet_is_the_generated_one() -> None:
    shipped = (ROOT / "static" / "css" / "highlight.css").read_text(encoding="utf-8")
    assert shipped == stylesheet(), (
        "run: python -m forumapp.forum.syntax > static/css/highlight.css"
    )


def test_the_stylesheet_has_both_themes_and_no_overlap() -> None:
    css = stylesheet()
    assert css.count("--code-background") == 4
    assert "@media (prefers-color-scheme: dark)" in css
    assert LIGHT_STYLE != DARK_STYLE
    # Every token rule is scoped to one theme selector.
    for line in css.splitlines():
        if " .k " in line:
            assert line.strip().startswith(":root"), line


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scope", [':root[data-theme="light"]', ':root[data-theme="dark"]'])
def test_every_token_colour_meets_wcag_aa_on_its_code_background(scope: str) -> None:
    css = stylesheet()
    rules = [line for line in css.splitlines() if line.startswith(scope)]
    background = re.search(r"--code-background: (#[0-9a-fA-F]+)", rules[0])
    assert background is not None
    colours = [m for line in rules[1:] for m in re.findall(r"[^-]color: (#[0-9a-fA-F]+)", line)]
    assert len(colours) > 20
    for colour in colours:
        assert _contrast(colour, background.group(1)) >= 4.5, (scope, colour)

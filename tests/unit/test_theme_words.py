"""The built-in themes' words through gettext: the same English as their manifests, and
themes of the instance or of plugins keep their own words."""

from __future__ import annotations

from pathlib import Path

from forumapp.themes.catalogue import BUILT_IN, BUILT_IN_WORDS, theme_folders, translated
from forumapp.themes.manifest import read_theme


def test_the_marked_words_match_the_built_in_manifests() -> None:
    manifests = {theme.name: theme for theme in map(read_theme, theme_folders(BUILT_IN))}
    assert set(BUILT_IN_WORDS) == set(manifests)
    for name, (title, description) in BUILT_IN_WORDS.items():
        assert (str(title), str(description)) == (
            manifests[name].title,
            manifests[name].description,
        )


def test_a_theme_elsewhere_with_a_built_in_name_keeps_its_own_words(tmp_path: Path) -> None:
    folder = tmp_path / "compact"
    folder.mkdir()
    (folder / "theme.toml").write_text(
        'name = "compact"\ntitle = "Mine"\ndescription = "My own."\n', encoding="utf-8"
    )
    theme = read_theme(folder)
    assert translated(theme) is theme
    built_in = translated(read_theme(BUILT_IN / "compact"))
    assert str(built_in.title) == "Compact"
    assert built_in.title is BUILT_IN_WORDS["compact"][0]

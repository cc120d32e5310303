"""Finding themes: the ones forumapp ships, the instance folder's, and plugins'."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path

from forumapp.lazy_text import lazy_gettext as _l
from forumapp.themes.manifest import MANIFEST, Theme, ThemeError, read_theme

log = logging.getLogger(__name__)

#: The themes shipped with forumapp (``default`` changes nothing; ``compact`` is denser).
BUILT_IN = Path(__file__).parent / "builtin"
#: The name of the look without any theme.
DEFAULT = "default"
#: The title and description of each built-in theme in the reader's language; their
#: manifests hold the same English (a test keeps the two in step), as any theme's do.
BUILT_IN_WORDS = {
    "default": (_l("Default"), _l("forumapp's own look: roomy cards, large avatars.")),
    "compact": (
        _l("Compact"),
        _l(
            "A high-density layout: tighter spacing, smaller type and half-size avatars, "
            "so more topics and posts fit on a screen."
        ),
    ),
}


def theme_folders(root: Path) -> list[Path]:
    """The sub-folders of ``root`` that hold a theme manifest."""
    if not root.is_dir():
        return []
    return sorted(child for child in root.iterdir() if (child / MANIFEST).is_file())


def find_themes(folders: Iterable[Path]) -> dict[str, Theme]:
    """The themes in ``folders``, by name; the first of two with the same name wins, and a
    folder that is no usable theme is left out with a warning."""
    themes: dict[str, Theme] = {}
    for folder in folders:
        try:
            theme = read_theme(folder)
        except ThemeError as exc:
            log.warning("Ignoring the theme in %s: %s", folder, exc)
            continue
        if theme.name in themes:
            log.warning("Ignoring the theme in %s: %s is already installed", folder, theme.name)
            continue
        themes[theme.name] = theme
    return themes


def installed_themes(instance_path: str, from_plugins: Iterable[Path] = ()) -> dict[str, Theme]:
    """forumapp's themes, then ``<instance>/themes/<name>/``, then the plugins' ones."""
    themes = find_themes(
        [
            *theme_folders(BUILT_IN),
            *theme_folders(Path(instance_path) / "themes"),
            *from_plugins,
        ]
    )
    return {name: translated(theme) for name, theme in themes.items()}


def translated(theme: Theme) -> Theme:
    """A built-in theme with its title and description in the reader's language; any
    other theme as its manifest words it."""
    words = BUILT_IN_WORDS.get(theme.name)
    if words is None or theme.folder.parent != BUILT_IN:
        return theme
    title, description = words
    return dataclasses.replace(theme, title=title, description=description)

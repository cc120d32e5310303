"""Finding themes: the ones forumapp ships, the instance folder's, and plugins'."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from forumapp.themes.manifest import MANIFEST, Theme, ThemeError, read_theme

log = logging.getLogger(__name__)

#: The themes shipped with forumapp (``default`` changes nothing; ``compact`` is denser).
BUILT_IN = Path(__file__).parent / "builtin"
#: The name of the look without any theme.
DEFAULT = "default"


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
    return find_themes(
        [
            *theme_folders(BUILT_IN),
            *theme_folders(Path(instance_path) / "themes"),
            *from_plugins,
        ]
    )

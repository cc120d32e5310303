"""A theme: a folder with a ``theme.toml`` manifest, templates that override the default
ones, and static files.

::

    compact/
      theme.toml        name, title, description, version, stylesheets
      templates/        forum/index.html ... (only the templates it changes)
      static/           compact.css ...
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from forumapp.text import has_control_characters

MANIFEST = "theme.toml"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_STYLESHEET = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_./-]{0,199}\.css")


class ThemeError(Exception):
    """A folder is not a usable theme; the message says why."""


@dataclass(frozen=True)
class Theme:
    """A theme found on disk."""

    name: str
    title: str
    description: str
    version: str
    folder: Path
    #: Files under ``static/`` every page links, in order, after the default stylesheet.
    stylesheets: tuple[str, ...] = ()

    @property
    def templates(self) -> Path:
        """The folder of templates that override the default ones."""
        return self.folder / "templates"

    @property
    def static(self) -> Path:
        """The folder of the theme's static files."""
        return self.folder / "static"


def _text(manifest: dict[str, object], key: str, limit: int, required: bool = False) -> str:
    value = manifest.get(key, "")
    if not isinstance(value, str) or len(value) > limit or has_control_characters(value):
        raise ThemeError(f"{key} must be text of up to {limit} characters")
    if required and not value:
        raise ThemeError(f"{key} is missing")
    return value


def read_theme(folder: Path) -> Theme:
    """The theme in ``folder``, or :class:`ThemeError` saying what is wrong."""
    try:
        manifest = tomllib.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"{folder / MANIFEST}: {exc}") from exc
    name = _text(manifest, "name", 64, required=True)
    if not _NAME.fullmatch(name):
        raise ThemeError("name must be lower-case letters, digits, '-' or '_'")
    stylesheets = manifest.get("stylesheets", [])
    if not isinstance(stylesheets, list) or not all(
        isinstance(sheet, str) and _STYLESHEET.fullmatch(sheet) and ".." not in sheet
        for sheet in stylesheets
    ):
        raise ThemeError("stylesheets must be a list of .css paths inside static/")
    return Theme(
        name=name,
        title=_text(manifest, "title", 80) or name,
        description=_text(manifest, "description", 300),
        version=_text(manifest, "version", 32),
        folder=folder,
        stylesheets=tuple(stylesheets),
    )

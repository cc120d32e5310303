"""Theme static files under content-hashed URLs: ``/themes/<theme>/<hash>/<file>``.

The hash changes with the file, so browsers may keep each URL for a year; a page always
links the current one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import Blueprint, abort, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask.views import View
from markupsafe import Markup, escape

from forumapp.themes.manifest import Theme

#: How long browsers keep a theme file whose URL carries its current hash.
IMMUTABLE = 365 * 24 * 3600

_hashes: dict[tuple[Path, int, int], str] = {}


def content_hash(path: Path) -> str:
    """The first 12 hex digits of the file's SHA-256 (remembered while it is unchanged)."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    digest = _hashes.get(key)
    if digest is None:
        digest = _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return digest


def theme_file_url(theme: Theme, filename: str) -> str:
    """The URL of one of ``theme``'s static files, with its content hash."""
    try:
        version = content_hash(theme.static / filename)
    except OSError:
        version = "missing"
    return url_for("themes.static_file", theme=theme.name, version=version, filename=filename)


def stylesheet_links(theme: Theme | None) -> Markup:
    """The ``<link>`` elements of ``theme``'s stylesheets (nothing for the default look)."""
    if theme is None:
        return Markup("")
    return Markup("\n").join(
        Markup('<link rel="stylesheet" href="{}">').format(escape(theme_file_url(theme, sheet)))
        for sheet in theme.stylesheets
    )


class ThemeFile(View):
    """Serve a theme's static file; long-lived when the URL names its current content."""

    methods = ["GET"]
    init_every_request = False

    def __init__(self, themes: Callable[[], Mapping[str, Theme]]) -> None:
        self.themes = themes

    def dispatch_request(self, theme: str, version: str, filename: str) -> ResponseReturnValue:  # type: ignore[override]
        found = self.themes().get(theme)
        if found is None:
            abort(404)
        response = send_from_directory(found.static, filename)
        try:
            current = content_hash(found.static / filename) == version
        except OSError:
            current = False
        if current:
            response.cache_control.max_age = IMMUTABLE
            response.cache_control.public = True
            response.cache_control.immutable = True
        else:
            # An old page's URL: serve today's file, but do not let it be kept.
            response.cache_control.no_cache = True
        return response


def create_themes_blueprint(themes: Callable[[], Mapping[str, Theme]]) -> Blueprint:
    """The blueprint that serves the static files of the ``themes`` it is given."""
    bp = Blueprint("themes", __name__, url_prefix="/themes")
    bp.add_url_rule(
        "/<theme>/<version>/<path:filename>",
        view_func=ThemeFile.as_view("static_file", themes=themes),
    )
    return bp

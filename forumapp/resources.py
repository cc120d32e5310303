"""Locates ``templates/`` and ``static/`` in a checkout and inside an installed wheel."""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # An installed wheel carries the folders inside the package; a checkout keeps them
    # at the repository root, one level up.
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"forumapp cannot find its {name}/ folder next to {_PACKAGE_DIR}")


def template_folder() -> str:
    """Absolute path of the Jinja templates."""
    return str(_find("templates"))


def static_folder() -> str:
    """Absolute path of the static files."""
    return str(_find("static"))


def migrations_folder() -> str:
    """Absolute path of the Alembic migrations shipped with the package."""
    return str(_PACKAGE_DIR / "migrations")

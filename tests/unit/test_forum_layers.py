"""The forum's services stay below the web layer: they never see the request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import forumapp

PACKAGE = Path(forumapp.__file__).parent
#: The forum's web layer: the blueprint factory, the views and page loaders, their forms,
#: URL converters and rate limits, the factories, the request hook of who's online, the
#: one module that reads who is asking from Flask-Login, the Undo offer kept in the
#: session, and the flashed sentences after a moderation action (in the request's language).
WEB_LAYER = {
    "__init__.py",
    "actor.py",
    "factories.py",
    "forms.py",
    "id_urls.py",
    "ids.py",
    "limits.py",
    "moderation_messages.py",
    "online.py",
    "pages.py",
    "undo.py",
    "views.py",
}
#: Modules a service could use to reach the request, the session, flash messages or the
#: current member.
REQUEST_BOUND = ("flask", "flask_login", "flask_wtf", "werkzeug.local")
#: Lazy translations: a service's message becomes text in the language of whichever request
#: shows it, so they reach nothing of the request themselves.
LAZY_TRANSLATION = {"flask_babel", "flask_babel.lazy_gettext", "flask_babel.LazyString"}
FORUM_WEB_MODULES = tuple(f"forumapp.forum.{name.removesuffix('.py')}" for name in WEB_LAYER)


def service_modules() -> list[Path]:
    """The forum's service modules, and the demo generator's (its command aside)."""
    forum = [path for path in (PACKAGE / "forum").glob("*.py") if path.name not in WEB_LAYER]
    demo = [path for path in (PACKAGE / "demo").glob("*.py") if path.name != "cli.py"]
    return sorted(forum + demo)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_there_are_forum_services_to_check() -> None:
    names = {path.name for path in service_modules()}
    assert {"reading.py", "posting.py", "moderation.py", "search.py", "builder.py"} <= names


@pytest.mark.parametrize("path", service_modules(), ids=lambda path: path.name)
def test_forum_services_never_reach_the_request_or_the_current_member(path: Path) -> None:
    reached = {
        name
        for name in imported_modules(path) - LAZY_TRANSLATION
        if name.startswith(REQUEST_BOUND) or name.startswith(FORUM_WEB_MODULES)
    }
    assert not reached, f"{path.name} imports {sorted(reached)}"

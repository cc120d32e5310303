"""The users package is below auth: auth builds on members, passwords and groups, and
nothing in users reaches back up into auth."""

from __future__ import annotations

import ast
from pathlib import Path

import forumapp.users


def imported_modules(source: Path) -> set[str]:
    """Every module ``source`` imports, absolute names only (the project uses no relative
    imports)."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_users_package_never_imports_the_auth_package() -> None:
    package = Path(forumapp.users.__file__).parent
    modules = sorted(package.rglob("*.py"))
    assert modules
    upward = {
        f"{module.relative_to(package)}: {name}"
        for module in modules
        for name in imported_modules(module)
        if name == "forumapp.auth" or name.startswith("forumapp.auth.")
    }
    assert not upward

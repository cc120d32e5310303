"""Templates of the active theme first, then the default ones: Jinja's loader chain."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, Template
from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError

from forumapp.themes.manifest import Theme

log = logging.getLogger(__name__)


class ThemeLoader(ChoiceLoader):
    """A :class:`~jinja2.ChoiceLoader` of the active theme's templates and the defaults.

    A theme holds only the templates it changes; every other name falls through to the
    default loader. A theme template that does not compile (or cannot be read) is skipped
    with a warning, so the page is served with the default template instead of a 500.
    """

    def __init__(self, default: BaseLoader) -> None:
        super().__init__([default])
        self.default = default
        self.theme: Theme | None = None

    def use(self, theme: Theme | None) -> None:
        """Put ``theme``'s templates in front of the defaults (``None``: defaults only)."""
        self.theme = theme
        if theme is not None and theme.templates.is_dir():
            self.loaders = [FileSystemLoader(theme.templates), self.default]
        else:
            self.loaders = [self.default]

    def load(
        self,
        environment: Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """The theme's template ``name`` when it has a working one, else the default."""
        for loader in self.loaders[:-1]:
            try:
                return loader.load(environment, name, globals)
            except TemplateNotFound:
                continue
            except (TemplateSyntaxError, UnicodeDecodeError, OSError) as exc:
                log.warning(
                    "The theme's template %s is broken, using the default one: %s", name, exc
                )
        return self.loaders[-1].load(environment, name, globals)


def install_theme_loader(environment: Environment) -> ThemeLoader:
    """Wrap ``environment``'s loader in a :class:`ThemeLoader` (once) and return it."""
    loader = environment.loader
    if isinstance(loader, ThemeLoader):
        return loader
    assert loader is not None
    theme_loader = ThemeLoader(loader)
    environment.loader = theme_loader
    return theme_loader


def switch_theme(environment: Environment, theme: Theme | None) -> None:
    """Make ``theme`` active in ``environment`` and forget the templates compiled so far."""
    install_theme_loader(environment).use(theme)
    # Compiled templates are cached by name: without this, pages would keep the old look.
    cache: Any = environment.cache
    if cache is not None:
        cache.clear()

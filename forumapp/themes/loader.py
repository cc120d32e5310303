"""Templates of the active theme first, then the default ones: Jinja's loader chain.

A theme can break a page in two ways: a template that does not compile (the loader skips
it) and one that compiles but raises while rendering (:class:`ThemedTemplate` renders the
page again from the default templates). Either way the reader gets the page, and the
log says which of the theme's templates is at fault.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, Template
from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError
from werkzeug.exceptions import HTTPException

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
        self._defaults_only: Environment | None = None

    def defaults_only(self, environment: Environment) -> Environment:
        """An overlay of ``environment`` that sees the default templates alone (its own
        cache: compiled theme templates are keyed to this loader and never match)."""
        if self._defaults_only is None:
            self._defaults_only = environment.overlay(loader=self.default)
        return self._defaults_only

    def caused(self, error: BaseException) -> Path | None:
        """The active theme's template file that ``error`` was raised in, if any.

        Jinja rewrites a rendering error's traceback so that its frames carry the
        template's file name; a frame inside the theme's folder puts the blame there.
        """
        if self.theme is None:
            return None
        folder = self.theme.templates.resolve()
        traceback = error.__traceback__
        while traceback is not None:
            filename = Path(traceback.tb_frame.f_code.co_filename).resolve()
            if filename.is_relative_to(folder):
                return filename.relative_to(folder)
            traceback = traceback.tb_next
        return None

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


class ThemedTemplate(Template):
    """A template that, when the active theme's part of it raises while rendering, logs
    the error and renders the page from the default templates instead.

    Only a page's outermost ``render`` is wrapped (``extends``, ``include`` and macros run
    inside it), so one failing theme template costs one re-render, and an error raised
    by a default template (or an HTTP abort) propagates as it would without themes.
    """

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The rendered page; the default templates' rendering if the theme's raised."""
        try:
            return super().render(*args, **kwargs)
        except HTTPException:
            raise
        except Exception as exc:
            loader = self.environment.loader
            if not isinstance(loader, ThemeLoader) or self.name is None:
                raise
            culprit = loader.caused(exc)
            if culprit is None:
                raise
            log.warning(
                "The theme's template %s failed while rendering %s, using the default "
                "templates: %s: %s",
                culprit.as_posix(),
                self.name,
                type(exc).__name__,
                exc,
            )
            fallback = loader.defaults_only(self.environment).get_template(self.name)
            return fallback.render(*args, **kwargs)


def install_theme_loader(environment: Environment) -> ThemeLoader:
    """Wrap ``environment``'s loader in a :class:`ThemeLoader` (once) and return it;
    the templates it compiles from then on render through :class:`ThemedTemplate`."""
    loader = environment.loader
    if isinstance(loader, ThemeLoader):
        return loader
    assert loader is not None
    theme_loader = ThemeLoader(loader)
    environment.loader = theme_loader
    environment.template_class = ThemedTemplate
    # Templates compiled before (none, in create_app) would keep the plain class.
    cache: Any = environment.cache
    if cache is not None:
        cache.clear()
    return theme_loader


def switch_theme(environment: Environment, theme: Theme | None) -> None:
    """Make ``theme`` active in ``environment`` and forget the templates compiled so far."""
    install_theme_loader(environment).use(theme)
    # Compiled templates are cached by name: without this, pages would keep the old look.
    cache: Any = environment.cache
    if cache is not None:
        cache.clear()

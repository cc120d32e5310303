"""Generic class-based views shared by the blueprints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask.views import View

#: Turns a page's URL values into its template context.
Loader = Callable[..., Mapping[str, Any]]


class TemplateView(View):
    """Render one template; registered several times with different templates.

    It keeps nothing per request, so one instance serves every request.
    """

    methods = ["GET"]
    init_every_request = False

    def __init__(self, template: str, **context: Any) -> None:
        self.template = template
        self.context = context

    def dispatch_request(self) -> ResponseReturnValue:
        return render_template(self.template, **self.context)


class PageView(View):
    """Render a template with what a loader returns.

    The forum's index and search pages are this view as it is; pages whose URL names
    something are small subclasses whose ``dispatch_request`` names the URL's values
    and hands them to the loader (see :mod:`forumapp.forum.pages`). Each is registered
    with different templates and loaders.

    Flask passes a URL's values to ``dispatch_request`` as keyword arguments, while
    ``View`` declares it without any, so type checkers flag every override that names
    them: the subclasses say ``# type: ignore[override]`` for that reason alone.
    """

    methods = ["GET"]
    init_every_request = False

    def __init__(self, template: str, loader: Loader, mimetype: str = "text/html") -> None:
        self.template = template
        self.loader = loader
        self.mimetype = mimetype

    def dispatch_request(self) -> ResponseReturnValue:
        return self.render(self.loader())

    def render(self, context: Mapping[str, Any]) -> ResponseReturnValue:
        """The page's template rendered with ``context``, in the view's media type."""
        body = render_template(self.template, **context)
        return body, {"Content-Type": f"{self.mimetype}; charset=utf-8"}

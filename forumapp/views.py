"""Generic class-based views shared by the blueprints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask.views import View


class TemplateView(View):
    """Render one template; registered several times with different templates.

    It keeps nothing per request, so one instance serves every request.
    """

    methods = ["GET"]
    init_every_request = False

    def __init__(self, template: str, **context: Any) -> None:
        self.template = template
        self.context = context

    def dispatch_request(self, **url_values: Any) -> ResponseReturnValue:
        return render_template(self.template, **self.context, **url_values)


class PageView(View):
    """Render a template with what a loader returns for the URL values.

    The forum's index, category, forum, topic and profile pages are all this one view,
    registered with different templates and loaders.
    """

    methods = ["GET"]
    init_every_request = False

    def __init__(
        self,
        template: str,
        loader: Callable[..., Mapping[str, Any]],
        mimetype: str = "text/html",
    ) -> None:
        self.template = template
        self.loader = loader
        self.mimetype = mimetype

    def dispatch_request(self, **url_values: Any) -> ResponseReturnValue:
        context = self.loader(**url_values)
        body = render_template(self.template, **context)
        return body, {"Content-Type": f"{self.mimetype}; charset=utf-8"}

"""Generic class-based views shared by the blueprints."""

from __future__ import annotations

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

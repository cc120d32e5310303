"""A plugin that adds a page through its own blueprint."""

from __future__ import annotations

from flask import Blueprint, Flask

from forumapp.plugins import hookimpl


def hello() -> str:
    return "hello from the pages plugin"


@hookimpl
def forumapp_load_blueprints(app: Flask) -> None:
    bp = Blueprint("pages_plugin", __name__)
    bp.add_url_rule("/hello-plugin", view_func=hello)
    app.register_blueprint(bp)

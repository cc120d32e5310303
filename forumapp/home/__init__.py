"""The site's own pages: terms of service and privacy."""

from __future__ import annotations

from flask import Blueprint

from forumapp.views import TemplateView


def create_home_blueprint() -> Blueprint:
    """Build the blueprint serving ``/terms`` and ``/privacy``."""
    blueprint = Blueprint("home", __name__)
    blueprint.add_url_rule(
        "/terms", view_func=TemplateView.as_view("terms", template="home/terms.html")
    )
    blueprint.add_url_rule(
        "/privacy", view_func=TemplateView.as_view("privacy", template="home/privacy.html")
    )
    return blueprint

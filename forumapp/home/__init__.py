"""The front pages: home, terms of service, privacy."""

from __future__ import annotations

from flask import Blueprint

from forumapp.home.services import community_stats_factory
from forumapp.home.views import HomePage
from forumapp.views import TemplateView


def create_home_blueprint() -> Blueprint:
    """Build the blueprint serving ``/``, ``/terms`` and ``/privacy``."""
    blueprint = Blueprint("home", __name__)
    blueprint.add_url_rule(
        "/", view_func=HomePage.as_view("index", stats_factory=community_stats_factory)
    )
    blueprint.add_url_rule(
        "/terms", view_func=TemplateView.as_view("terms", template="home/terms.html")
    )
    blueprint.add_url_rule(
        "/privacy", view_func=TemplateView.as_view("privacy", template="home/privacy.html")
    )
    return blueprint

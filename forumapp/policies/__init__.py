"""The site's policies: terms of service and privacy notice, one template each."""

from __future__ import annotations

from flask import Blueprint

from forumapp.i18n.hosts import speak_without_babel
from forumapp.views import TemplateView


def create_policies_blueprint() -> Blueprint:
    """Build the blueprint serving ``/terms`` and ``/privacy``."""
    blueprint = Blueprint("policies", __name__)
    blueprint.record_once(speak_without_babel)
    blueprint.add_url_rule(
        "/terms", view_func=TemplateView.as_view("terms", template="policies/terms.html")
    )
    blueprint.add_url_rule(
        "/privacy", view_func=TemplateView.as_view("privacy", template="policies/privacy.html")
    )
    return blueprint

"""The first-run setup page (``/setup``): while no administrator exists, whoever holds
the one-time code that ``forumapp run`` prints creates the first one and names the site.

Mount it with forumapp's own service, or your own::

    app.register_blueprint(create_setup_blueprint())
"""

from __future__ import annotations

from flask import Blueprint

from forumapp.domain_errors import answer_domain_errors
from forumapp.setup.factories import SetupFactories, default_factories
from forumapp.setup.views import Setup

__all__ = ["SetupFactories", "create_setup_blueprint", "default_factories"]


def create_setup_blueprint(
    factories: SetupFactories | None = None, *, name: str = "setup", url_prefix: str = ""
) -> Blueprint:
    """Build the setup blueprint with ``factories`` (forumapp's own when omitted)."""
    f = factories or default_factories()
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix or None)
    blueprint.add_url_rule(
        "/setup", view_func=Setup.as_view("setup", setup_factory=f.first_run_setup)
    )
    # Setup that is over, or was never opened, is a page that does not exist.
    answer_domain_errors(blueprint)
    return blueprint

"""How every page looks: the filters that format numbers and times, the header's staff
links, the favicon.

Mount it with forumapp's own services, or with factories of your own::

    app.register_blueprint(create_look_blueprint())
    app.register_blueprint(create_look_blueprint(my_factories))
"""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory
from flask.typing import ResponseReturnValue
from flask.views import View
from flask_login import current_user

from forumapp.formatting import install_filters
from forumapp.look.factories import LookFactories, default_factories
from forumapp.look.staff import StaffLink
from forumapp.resources import static_folder

__all__ = ["LookFactories", "create_look_blueprint", "default_factories"]

#: Browsers ask for /favicon.ico whatever the page links: a day in their cache.
FAVICON_MAX_AGE = 86_400


class Favicon(View):
    """``/favicon.ico``: the small PNG-in-ICO fallback of ``static/favicon.svg``."""

    methods = ["GET"]
    init_every_request = False

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def dispatch_request(self) -> ResponseReturnValue:
        return send_from_directory(
            self.folder, "favicon.ico", mimetype="image/x-icon", max_age=FAVICON_MAX_AGE
        )


def create_look_blueprint(factories: LookFactories | None = None) -> Blueprint:
    """Build the ``look`` blueprint: ``/favicon.ico``, the ``number``, ``count`` and
    ``ago`` filters, and the ``staff_links`` template global."""
    f = factories or default_factories()
    blueprint = Blueprint("look", __name__)
    blueprint.add_url_rule("/favicon.ico", view_func=Favicon.as_view("favicon", static_folder()))
    install_filters(blueprint)

    def staff_links() -> list[StaffLink]:
        """The header's staff links for the member reading (none for guests)."""
        if not current_user.is_authenticated:
            return []
        links = f.staff_links().for_group(getattr(current_user, "group", None))
        return [link for link in links if link.endpoint in current_app.view_functions]

    blueprint.add_app_template_global(staff_links)
    return blueprint

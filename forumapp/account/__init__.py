"""The account blueprint: a member's own settings at ``/settings/...``.

Each page is a ``MethodView`` whose services come from :class:`AccountFactories` through
``as_view``, with ``login_required`` (and a fresh reauth where credentials change) as
class-level decorators, exactly as in the auth blueprint. Mount it in any Flask app that
mounts the auth blueprint::

    from forumapp.account import create_account_blueprint

    app.register_blueprint(create_account_blueprint())              # forumapp's services
    app.register_blueprint(create_account_blueprint(my_factories))  # your own
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from flask.typing import ResponseReturnValue, RouteCallable
from werkzeug.exceptions import NotFound as HTTPNotFound

from forumapp.account import menu
from forumapp.account.avatar import AvatarPage, RemoveAvatar
from forumapp.account.factories import AccountFactories, default_factories
from forumapp.forum.errors import NotFound
from forumapp.forum.ids import install_id_converter

__all__ = ["AccountFactories", "create_account_blueprint", "default_factories"]


def create_account_blueprint(
    factories: AccountFactories | None = None,
    *,
    name: str = "account",
    url_prefix: str = "/settings",
) -> Blueprint:
    """Build the account blueprint with ``factories`` (forumapp's own when omitted)."""
    f = factories or default_factories()
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix)
    blueprint.record_once(install_id_converter)
    blueprint.after_request(_no_store)
    blueprint.register_error_handler(NotFound, _not_found)
    blueprint.add_app_template_global(menu.settings_menu)
    blueprint.add_app_template_global(menu.first_settings_url)
    for rule, view_func in _rules(f):
        blueprint.add_url_rule(rule, view_func=view_func)
    return blueprint


def _rules(f: AccountFactories) -> list[tuple[str, RouteCallable]]:
    # One entry per page, in the order of the settings menu.
    return [
        ("/avatar", AvatarPage.as_view("avatar", avatar_service=f.avatar_service)),
        ("/avatar/remove", RemoveAvatar.as_view("remove_avatar", avatar_service=f.avatar_service)),
    ]


def _not_found(_error: NotFound) -> ResponseReturnValue:
    # The one place the account pages turn a service's NotFound into a 404, answered by
    # whatever 404 page the app has.
    return current_app.handle_http_exception(HTTPNotFound())


def _no_store(response: Response) -> Response:
    # Pages about a member's own account must not come back from a shared cache or the
    # back button of a browser someone else uses next.
    response.headers["Cache-Control"] = "no-store"
    return response

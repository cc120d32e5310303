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

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue, RouteCallable
from werkzeug.exceptions import NotFound as HTTPNotFound

from forumapp.account import menu
from forumapp.account.credential_rules import credential_rules, default_credential_settings
from forumapp.account.factories import AccountFactories, default_factories
from forumapp.errors import handle_http_error
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
    blueprint.add_app_template_global(menu.settings_menu)
    blueprint.add_app_template_global(menu.first_settings_url)
    for rule, view_func in _rules(f):
        blueprint.add_url_rule(rule, view_func=view_func)
    blueprint.register_error_handler(NotFound, _not_found)
    blueprint.record_once(default_credential_settings)
    return blueprint


def _rules(f: AccountFactories) -> list[tuple[str, RouteCallable]]:
    # One entry per page, in the order of the settings menu.
    return [
        *credential_rules(f),
    ]


def _not_found(_error: NotFound) -> ResponseReturnValue:
    # The services' NotFound (someone else's session, say) is answered here, once.
    return handle_http_error(HTTPNotFound())


def _no_store(response: Response) -> Response:
    # Pages about a member's own account must not come back from a shared cache or the
    # back button of a browser someone else uses next.
    response.headers["Cache-Control"] = "no-store"
    return response

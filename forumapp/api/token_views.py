"""The API tokens page at ``/settings/tokens``: members list, create and revoke the
personal access tokens the JSON API accepts.

A new token's secret appears once, in the response to the POST that created it; it never
goes into the session, a flash message or a URL, and the page is never cached.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.api.token_forms import NewTokenForm, RevokeTokenForm
from forumapp.api.tokens import IssuedToken, TokenError, TokenScope, TokenService
from forumapp.auth.decorators import fresh_login_required, login_required
from forumapp.domain_errors import answer_domain_errors
from forumapp.extensions import db
from forumapp.forum.ids import install_id_converter
from forumapp.sqltypes import utcnow

TokenServiceFactory = Callable[[], TokenService]


def token_service_factory() -> TokenService:
    """Personal access tokens over the app's database, ``API_TOKENS_PER_MEMBER`` each."""
    return TokenService(db.session, utcnow, max_tokens=current_app.config["API_TOKENS_PER_MEMBER"])


class TokenList(MethodView):
    """The member's tokens and the form that creates one (which shows its secret once)."""

    # Creating a credential needs the password confirmed recently, like changing it.
    decorators = [fresh_login_required]
    init_every_request = False

    def __init__(self, token_service_factory: TokenServiceFactory) -> None:
        self.token_service_factory = token_service_factory

    def get(self) -> ResponseReturnValue:
        return self._render(self.token_service_factory(), NewTokenForm())

    def post(self) -> ResponseReturnValue:
        service = self.token_service_factory()
        form = NewTokenForm()
        if not form.validate_on_submit():
            return self._render(service, form)
        try:
            issued = service.issue(current_user.id, form.name.data, TokenScope(form.scope.data))
        except TokenError as exc:
            form.add_errors([(exc.field, exc.reason)])
            return self._render(service, form)
        # A blank form under the secret, ready for the next token.
        return self._render(service, NewTokenForm(formdata=None), issued)

    @staticmethod
    def _render(
        service: TokenService, form: NewTokenForm, issued: IssuedToken | None = None
    ) -> ResponseReturnValue:
        return render_template(
            "api/tokens.html",
            tokens=service.tokens_of(current_user.id),
            form=form,
            issued=issued,
        )


class RevokeToken(MethodView):
    """Revoke one of the member's tokens; 404 for anyone else's."""

    # Revoking only takes power away, so a stale login may do it; a trip through reauth
    # would also end on this POST-only URL with a GET.
    decorators = [login_required]
    init_every_request = False

    def __init__(self, token_service_factory: TokenServiceFactory) -> None:
        self.token_service_factory = token_service_factory

    def post(self, token_id: int) -> ResponseReturnValue:
        if not RevokeTokenForm().validate_on_submit():
            abort(400)
        self.token_service_factory().revoke(current_user.id, token_id)
        flash(_("The token is revoked: programs using it can no longer reach the API."), "success")
        return redirect(url_for(".tokens"))


def _no_store(response: Response) -> Response:
    # Pages about credentials must not come back from a cache or the back button.
    response.headers["Cache-Control"] = "no-store"
    return response


def create_tokens_blueprint(
    token_service_factory: TokenServiceFactory = token_service_factory,
) -> Blueprint:
    """Build the ``tokens`` blueprint serving ``/settings/tokens``."""
    bp = Blueprint("tokens", __name__, url_prefix="/settings")
    bp.record_once(install_id_converter)
    bp.after_request(_no_store)
    answer_domain_errors(bp)
    services = {"token_service_factory": token_service_factory}
    bp.add_url_rule("/tokens", view_func=TokenList.as_view("tokens", **services))
    bp.add_url_rule(
        "/tokens/<id:token_id>/revoke", view_func=RevokeToken.as_view("revoke", **services)
    )
    return bp

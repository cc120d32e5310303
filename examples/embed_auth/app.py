"""The host application: its own pages, JSON endpoint, layout and login manager, with
forumapp's auth blueprint mounted under ``/accounts``."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_login import LoginManager, current_user

from examples.embed_auth.factories import Accounts, auth_factories
from forumapp.auth import create_auth_blueprint
from forumapp.users.passwords import Argon2Hasher


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the host app; ``config`` overrides its settings."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("EXAMPLE_SECRET_KEY", "change me"),
        HOME_ENDPOINT="index",
        ARGON2_TIME_COST=3,
        ARGON2_MEMORY_COST=65536,
    )
    app.config.update(config or {})
    accounts = Accounts(
        Argon2Hasher(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"], 1)
    )
    app.extensions["example.accounts"] = accounts

    login_manager = LoginManager(app)
    login_manager.login_view = "accounts.login"
    login_manager.user_loader(accounts.load_member)

    app.register_blueprint(
        create_auth_blueprint(auth_factories(accounts), name="accounts", url_prefix="/accounts")
    )

    app.add_url_rule("/", view_func=Home.as_view("index"))
    app.add_url_rule("/api/echo", view_func=Echo.as_view("echo"))
    return app


class Home(MethodView):
    """The host's landing page, in the host's own ``base.html``."""

    def get(self) -> ResponseReturnValue:
        """Greet the member, or link to the auth pages."""
        return render_template("base.html", member=current_user)


class Echo(MethodView):
    """A JSON endpoint of the host: the auth blueprint's CSRF check is not its business."""

    def post(self) -> ResponseReturnValue:
        """Answer with the JSON body it was sent."""
        return jsonify(request.get_json(silent=True))

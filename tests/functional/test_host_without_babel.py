"""A host app that mounts forumapp's blueprints without Flask-Babel: forumapp's gettext
calls (templates and Python) answer in English, counts grouped as forumapp groups them,
and a host that binds Flask-Babel itself keeps its own configuration."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template_string
from flask_babel import Babel, gettext, lazy_gettext

from examples.embed_auth.app import create_app
from forumapp.auth import create_auth_blueprint
from forumapp.policies import create_policies_blueprint
from forumapp.reading import create_reading_blueprint

TEMPLATE = (
    '{{ _("Sign in") }} | {% trans name="dora" %}Hello {{ name }}{% endtrans %} | '
    '{{ ngettext("%(num)s post", "%(num)s posts", n) }}'
)


def test_the_example_host_renders_forumapps_gettext_calls_in_english() -> None:
    host = create_app({"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8})
    with host.test_request_context("/", headers={"Accept-Language": "de"}):
        assert render_template_string(TEMPLATE, n=1) == "Sign in | Hello dora | 1 post"
        assert render_template_string(TEMPLATE, n=1234).endswith("| 1,234 posts")
        assert gettext("Sign in") == "Sign in" and str(lazy_gettext("Posts")) == "Posts"
    page = host.test_client().get("/accounts/login", headers={"Accept-Language": "de"})
    assert page.status_code == 200


def test_a_bare_host_gets_the_calls_from_whichever_blueprint_comes_first() -> None:
    for blueprint in (create_reading_blueprint(), create_policies_blueprint()):
        host = Flask("bare_host")
        assert "babel" not in host.extensions
        host.register_blueprint(blueprint)
        with host.test_request_context("/"):
            assert render_template_string(TEMPLATE, n=2) == "Sign in | Hello dora | 2 posts"


def test_a_host_with_its_own_babel_keeps_it(tmp_path: Path) -> None:
    host = Flask("babel_host")
    Babel(host, default_translation_directories=str(tmp_path))
    own = host.extensions["babel"]
    host.register_blueprint(create_auth_blueprint())
    assert host.extensions["babel"] is own
    assert own.translation_directories == [str(tmp_path)]

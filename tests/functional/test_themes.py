"""Themes in the running app: choosing one, template overrides, static files, failures."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp import create_app
from forumapp.extensions import db
from tests.conftest import AuthActions, base_config
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_plugins import audit_actions, second_worker
from tests.plugin_samples import samples

BROKEN_INDEX = "{% extends 'base.html' %}{% block content %}{% if %}{% endblock %}"
OWN_INDEX = (
    "{% extends 'base.html' %}{% block content %}<h1>Our own index</h1>"
    '<img src="{{ theme_static(\'logo.svg\') }}" alt="Our logo">{% endblock %}'
)
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


@pytest.fixture(autouse=True)
def instance_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Each test app gets an instance folder of its own, where its themes live.
    folder = tmp_path / "instance"
    monkeypatch.setenv("FORUMAPP_INSTANCE_PATH", str(folder))
    return folder


def instance_theme(
    instance: Path, name: str, templates: dict[str, str], manifest: str | None = None
) -> None:
    folder = instance / "themes" / name
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text(
        manifest if manifest is not None else f'name = "{name}"\ndescription = "The {name} one"\n'
    )
    for path, source in templates.items():
        target = folder / "templates" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)


def choose(client: FlaskClient, theme: str) -> object:
    return post_form(client, "/admin/themes", theme=theme)


def stylesheet_url(page: str) -> str:
    match = re.search(r'href="(/themes/compact/[0-9a-f]{12}/compact\.css)"', page)
    assert match, "no compact stylesheet link"
    return match.group(1)


def test_admins_choose_the_compact_theme_and_it_overrides_one_template(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "admin")
    themes_page = client.get("/admin/themes").get_data(as_text=True)
    assert "<legend>Active theme</legend>" in themes_page
    assert "A high-density layout" in themes_page
    assert 'class="avatar avatar-64"' in client.get(f"/topic/{topic}").get_data(as_text=True)
    assert choose(client, "compact").status_code == 302  # type: ignore[attr-defined]
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    # The theme's avatar macro, and the default topic template around it.
    assert 'class="avatar avatar-32"' in page
    assert 'class="avatar avatar-64"' not in page
    assert 'class="post-actions small"' in page
    stylesheet = client.get(stylesheet_url(page))
    stylesheet.close()
    assert stylesheet.status_code == 200
    assert stylesheet.mimetype == "text/css"
    assert stylesheet.cache_control.immutable
    assert stylesheet.cache_control.max_age == 365 * 24 * 3600
    choose(client, "default")
    assert 'class="avatar avatar-64"' in client.get(f"/topic/{topic}").get_data(as_text=True)
    assert audit_actions(app)[-2:] == [("theme.choose", "compact"), ("theme.choose", "default")]


def test_another_worker_takes_the_chosen_theme_without_a_restart(
    app: Flask, tmp_path: Path, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    other = second_worker(app, tmp_path)
    assert "/themes/compact/" not in other.test_client().get("/").get_data(as_text=True)
    login_as(auth, world, "admin")
    choose(client, "compact")
    assert "/themes/compact/" in other.test_client().get("/").get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/themes/compact/000000000000/compact.css", 200),
        ("/themes/compact/000000000000/../theme.toml", 404),
        ("/themes/compact/000000000000/missing.css", 404),
        ("/themes/nothing/000000000000/compact.css", 404),
    ],
)
def test_theme_files_come_only_from_a_theme_static_folder(
    client: FlaskClient, path: str, status: int
) -> None:
    response = client.get(path)
    response.close()
    assert response.status_code == status
    if status == 200:
        # A URL that does not name today's content must not be kept for a year.
        assert response.cache_control.no_cache
        assert not response.cache_control.immutable


def test_a_theme_in_the_instance_folder_overrides_only_its_templates(
    instance_folder: Path, tmp_path: Path, world: World
) -> None:
    instance_theme(instance_folder, "own", {"forum/index.html": OWN_INDEX})
    (instance_folder / "themes" / "own" / "static").mkdir()
    (instance_folder / "themes" / "own" / "static" / "logo.svg").write_text(LOGO)
    app = restarted(world.app, tmp_path)
    client = app.test_client()
    auth = AuthActions(client)
    login_as(auth, world, "admin")
    assert "The own one" in client.get("/admin/themes").get_data(as_text=True)
    assert choose(client, "own").status_code == 302  # type: ignore[attr-defined]
    page = client.get("/").get_data(as_text=True)
    assert "<h1>Our own index</h1>" in page
    logo_url = re.search(r'src="(/themes/own/[0-9a-f]{12}/logo\.svg)"', page)
    assert logo_url
    logo = client.get(logo_url.group(1))
    logo.close()
    assert (logo.status_code, logo.cache_control.immutable) == (200, True)
    # Everything else is the default template.
    assert "Forum A" in client.get(f"/forum/{world.forum_a}").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_a_broken_theme_template_falls_back_to_the_default_with_a_warning(
    instance_folder: Path, tmp_path: Path, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    instance_theme(instance_folder, "broken", {"forum/index.html": BROKEN_INDEX})
    instance_theme(instance_folder, "no-manifest", {}, manifest="name = [")
    app = restarted(world.app, tmp_path)
    client = app.test_client()
    login_as(AuthActions(client), world, "admin")
    assert "no-manifest" not in client.get("/admin/themes").get_data(as_text=True)
    choose(client, "broken")
    with caplog.at_level(logging.WARNING):
        page = client.get("/")
    assert page.status_code == 200
    assert "Forum A" in page.get_data(as_text=True)
    assert "forum/index.html is broken" in caplog.text
    with app.app_context():
        db.engine.dispose()


def test_a_theme_template_that_fails_while_rendering_gives_way_to_the_default(
    app: Flask, instance_folder: Path, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    # It compiles; it raises only when rendered (an attribute of an undefined name).
    failing = "{% extends 'base.html' %}{% block content %}{{ nothing.here.at_all }}{% endblock %}"
    instance_theme(instance_folder, "failing", {"forum/index.html": failing})
    client = app.test_client()
    login_as(AuthActions(client), world, "admin")
    assert choose(client, "failing").status_code == 302  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING):
        page = client.get("/")
    assert page.status_code == 200
    assert "Forum A" in page.get_data(as_text=True)
    assert "forum/index.html failed while rendering forum/index.html" in caplog.text
    # The theme's other pages, and its stylesheet links, are unaffected.
    assert client.get(f"/forum/{world.forum_a}").status_code == 200


def test_a_theme_put_in_the_instance_folder_is_listed_without_a_restart(
    app: Flask, instance_folder: Path, world: World
) -> None:
    client = app.test_client()
    login_as(AuthActions(client), world, "admin")
    assert "The late one" not in client.get("/admin/themes").get_data(as_text=True)
    instance_theme(instance_folder, "late", {"forum/index.html": OWN_INDEX})
    (instance_folder / "themes" / "late" / "theme.toml").write_text(
        'name = "late"\ndescription = "The late one"\n'
    )
    assert "The late one" in client.get("/admin/themes").get_data(as_text=True)
    assert choose(client, "late").status_code == 302  # type: ignore[attr-defined]
    assert "<h1>Our own index</h1>" in client.get("/").get_data(as_text=True)


def test_a_plugins_theme_comes_and_goes_with_the_plugin_without_a_restart(
    tmp_path: Path, world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("forumapp.plugins.install.installed_plugins", samples)
    app = restarted(world.app, tmp_path)
    client = app.test_client()
    other = second_worker(app, tmp_path)
    login_as(AuthActions(client), world, "admin")
    assert "Harbour" not in client.get("/admin/themes").get_data(as_text=True)
    assert choose(client, "harbour").status_code == 400  # type: ignore[attr-defined]
    post_form(client, "/admin/plugins", plugin="themed", action="enable")
    assert "Harbour" in client.get("/admin/themes").get_data(as_text=True)
    assert choose(client, "harbour").status_code == 302  # type: ignore[attr-defined]
    page = client.get("/").get_data(as_text=True)
    assert '<h1 class="harbour-index">' in page
    assert re.search(r'href="/themes/harbour/[0-9a-f]{12}/harbour\.css"', page)
    # Another worker, started before the plugin was enabled, follows.
    assert '<h1 class="harbour-index">' in other.test_client().get("/").get_data(as_text=True)
    post_form(client, "/admin/plugins", plugin="themed", action="disable")
    with caplog.at_level(logging.WARNING):
        page = client.get("/").get_data(as_text=True)
    assert "harbour" not in page
    assert "Forum A" in page
    assert "The active theme harbour is not installed" in caplog.text
    assert "harbour" not in other.test_client().get("/").get_data(as_text=True)
    for started in (app, other):
        with started.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("theme", ["missing", "../default", "compact\x07"])
def test_only_installed_themes_can_be_chosen(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, theme: str
) -> None:
    login_as(auth, world, "admin")
    assert choose(client, theme).status_code == 400  # type: ignore[attr-defined]
    assert audit_actions(app) == []


def test_choosing_a_theme_needs_the_csrf_token(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    assert client.post("/admin/themes", data={"theme": "compact"}).status_code == 400
    assert audit_actions(app) == []


def restarted(app: Flask, tmp_path: Path) -> Flask:
    """The app started again on its database (it finds the instance folder's themes)."""
    return create_app(
        {
            **base_config(tmp_path / "unused.sqlite3"),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )

"""Plugins in the running app: the admin page, every worker, failures, events, slots."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp import create_app
from forumapp.events import MemberBanned, MemberRegistered, PostSaved, TopicCreated
from forumapp.extensions import db
from forumapp.forum.models import Post, Topic
from forumapp.management.audit.log import Auditor
from forumapp.management.audit.models import AuditEntry
from forumapp.plugins.current import EXTENSIONS_KEY
from forumapp.plugins.factories import administration_factory
from forumapp.plugins.live import LiveExtensions
from forumapp.plugins.models import PluginState
from forumapp.users.models import User
from tests.conftest import AuthActions, base_config, register
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_forum_query_counts import counted_queries
from tests.plugin_samples import greeter, samples

SCRIPT = Auditor(None, "test", "")


@pytest.fixture(autouse=True)
def _sample_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every app these tests create finds the sample plugins as if they were installed.
    monkeypatch.setattr("forumapp.plugins.install.installed_plugins", samples)


def live(app: Flask) -> LiveExtensions:
    extensions = app.extensions[EXTENSIONS_KEY]
    assert isinstance(extensions, LiveExtensions)
    return extensions


def enable(app: Flask, *names: str) -> None:
    """Enable plugins as the panel does; the app applies it on its next request."""
    with app.test_request_context():
        for name in names:
            administration_factory().set_enabled(SCRIPT, name, True)
    live(app).expire()


def second_worker(app: Flask, tmp_path: Path) -> Flask:
    """Another app on the same database that looks at the revision at every request."""
    return create_app(
        {
            **base_config(tmp_path / "unused.sqlite3"),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SETTINGS_CHECK_SECONDS": 0,
        }
    )


def switch(client: FlaskClient, plugin: str, action: str) -> object:
    return post_form(client, "/admin/plugins", plugin=plugin, action=action)


def audit_actions(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEntry.action, AuditEntry.target_label).order_by(AuditEntry.id)
        )
        return [(action, label) for action, label in rows]


# --- the admin page ---------------------------------------------------------------------


def test_admins_enable_a_plugin_and_every_page_shows_its_header(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    page = client.get("/admin/plugins").get_data(as_text=True)
    assert "The greeter sample plugin" in page
    assert 'aria-label="Enable greeter"' in page
    assert "greeter-banner" not in client.get("/").get_data(as_text=True)
    assert switch(client, "greeter", "enable").status_code == 302  # type: ignore[attr-defined]
    assert '<p class="greeter-banner">Hello from greeter</p>' in client.get("/").get_data(
        as_text=True
    )
    assert 'aria-label="Disable greeter"' in client.get("/admin/plugins").get_data(as_text=True)
    switch(client, "greeter", "disable")
    assert "greeter-banner" not in client.get("/").get_data(as_text=True)
    assert audit_actions(app) == [("plugin.enable", "greeter"), ("plugin.disable", "greeter")]


@pytest.mark.parametrize("path", ["/admin/plugins", "/admin/plugins/greeter", "/admin/themes"])
def test_the_plugin_and_theme_pages_are_for_administrators_only(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, path: str
) -> None:
    enable(app, "greeter")
    assert client.get(path).status_code == 302  # to the login page
    login_as(auth, world, "moderator")
    assert client.get(path).status_code == 403
    assert post_form(client, path, plugin="greeter", action="disable").status_code == 403


def test_switching_a_plugin_needs_the_csrf_token(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    response = client.post("/admin/plugins", data={"plugin": "greeter", "action": "enable"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(PluginState)).all() == []


@pytest.mark.parametrize(
    ("plugin", "action", "status"),
    [("not-installed", "enable", 404), ("greeter", "explode", 400), ("gree\x07ter", "enable", 400)],
)
def test_bad_plugin_switches_are_refused_without_writing(
    app: Flask,
    client: FlaskClient,
    world: World,
    auth: AuthActions,
    plugin: str,
    action: str,
    status: int,
) -> None:
    login_as(auth, world, "admin")
    assert switch(client, plugin, action).status_code == status  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.scalars(select(PluginState)).all() == []


def test_enabling_and_disabling_reach_another_worker_without_a_restart(
    app: Flask, tmp_path: Path, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    other = second_worker(app, tmp_path)
    other_client = other.test_client()
    assert "greeter-banner" not in other_client.get("/").get_data(as_text=True)
    login_as(auth, world, "admin")
    switch(client, "greeter", "enable")
    assert "greeter-banner" in other_client.get("/").get_data(as_text=True)
    switch(client, "greeter", "disable")
    assert "greeter-banner" not in other_client.get("/").get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()


# --- failing plugins ----------------------------------------------------------------------


def test_a_plugin_raising_on_import_is_shown_disabled_with_its_error(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    switch(client, "broken-import", "enable")
    assert client.get("/").status_code == 200
    page = client.get("/admin/plugins").get_data(as_text=True)
    assert "Disabled after an error" in page
    assert "RuntimeError: this plugin needs a module that is not installed" in page
    with app.app_context():
        state = db.session.get(PluginState, "broken-import")
        assert state is not None
        assert not state.enabled
    assert ("plugin.fail", "broken-import") in audit_actions(app)


def test_a_plugin_raising_in_a_hook_is_disabled_everywhere_and_pages_are_served(
    app: Flask, tmp_path: Path, client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    enable(app, "greeter", "broken-hook")
    other = second_worker(app, tmp_path)
    assert live(other).host.loaded == {"greeter", "broken-hook"}
    page = client.get("/")
    assert page.status_code == 200
    # The broken header is left out; the well-behaved plugin's is there.
    assert "greeter-banner" in page.get_data(as_text=True)
    assert "the header hook exploded" in caplog.text
    client.get("/")  # the next request stores the failure for every worker
    # A request that renders no header: the other worker drops the plugin because it
    # reads that it was disabled, not because it raised there too.
    stylesheet = other.test_client().get("/static/css/forumapp.css")
    stylesheet.close()
    assert stylesheet.status_code == 200
    assert live(other).host.loaded == {"greeter"}
    with app.app_context():
        state = db.session.get(PluginState, "broken-hook")
        assert state is not None
        assert (state.enabled, state.error) == (False, "ValueError: the header hook exploded")
    with other.app_context():
        db.engine.dispose()


def test_a_plugin_raising_in_an_event_hook_does_not_undo_the_post(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    enable(app, "broken-event")
    login_as(auth, world, "member")
    response = post_form(
        client, f"/forum/{world.forum_a}/new-topic", title="Still saved", content="Body", submit="1"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Topic.title)) == "Still saved"
    assert live(app).host.failures() == {"broken-event": "ValueError: the post hook exploded"}


# --- events, slots, Markdown ----------------------------------------------------------------


def test_plugins_hear_of_new_topics_posts_and_bans(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    enable(app, "greeter")
    greeter.HEARD.clear()
    login_as(auth, world, "member")
    response = post_form(
        client, f"/forum/{world.forum_a}/new-topic", title="Hi there", content="Body", submit="1"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        topic = db.session.scalars(select(Topic)).one()
        post = db.session.scalars(select(Post)).one()
    alice = world.users["member"]
    assert [
        TopicCreated(topic.id, world.forum_a, "Hi there", alice, "alice"),
        PostSaved(post.id, topic.id, alice, "alice", "Body", edited=False),
    ] == greeter.HEARD
    auth.logout()
    login_as(auth, world, "admin")
    bob = world.users["member2"]
    assert post_form(client, f"/admin/users/{bob}/ban", reason="spam").status_code == 302
    assert greeter.HEARD[-1] == MemberBanned(bob, "bob", None, "root")


def test_slots_show_plugin_html_and_escape_plain_text(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    enable(app, "greeter")
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert "&lt;b&gt;greeter saw post #1&lt;/b&gt;" in page
    profile = client.get("/user/alice").get_data(as_text=True)
    assert '<aside class="greeter-profile">Greeter knows alice</aside>' in profile
    login_as(auth, world, "admin")
    assert "greeter-dashboard" in client.get("/admin/").get_data(as_text=True)


def test_new_posts_are_rendered_with_the_enabled_plugins_markdown_rules(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "member")
    path = f"/forum/{world.forum_a}/new-topic"
    post_form(client, path, title="Before", content="[greet]", submit="1")
    enable(app, "greeter")
    post_form(client, path, title="After", content="[greet] <script>", submit="1")
    with app.app_context():
        rendered = dict(db.session.execute(select(Post.content, Post.html)).all())
    assert rendered["[greet]"] == "<p>[greet]</p>\n"
    assert rendered["[greet] <script>"] == "<p>GREETINGS &lt;script&gt;</p>\n"


def test_plugin_slots_add_no_query_to_a_page(app: Flask, client: FlaskClient, world: World) -> None:
    topic = world.topic()
    for _ in range(3):
        world.reply(topic)
    client.get(f"/topic/{topic}")
    with counted_queries(app) as without_plugins:
        client.get(f"/topic/{topic}")
    enable(app, "greeter")
    client.get(f"/topic/{topic}")  # this request loads the plugin
    with counted_queries(app) as with_plugins:
        page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert page.count("greeter saw post") == 4
    assert len(with_plugins) == len(without_plugins)


# --- blueprints and settings --------------------------------------------------------------


def test_a_plugins_pages_mount_at_start_and_answer_404_once_it_is_disabled(
    app: Flask, tmp_path: Path, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    enable(app, "pages")
    restarted = second_worker(app, tmp_path)
    restarted_client = restarted.test_client()
    assert restarted_client.get("/hello-plugin").get_data(as_text=True) == (
        "hello from the pages plugin"
    )
    # The worker that was running when it was enabled needs a restart for the pages.
    login_as(auth, world, "admin")
    assert client.get("/hello-plugin").status_code == 404
    assert "Restart needed" in client.get("/admin/plugins").get_data(as_text=True)
    switch(client, "pages", "disable")
    assert restarted_client.get("/hello-plugin").status_code == 404
    with restarted.app_context():
        db.engine.dispose()


def test_plugin_settings_are_validated_saved_applied_and_audited(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    enable(app, "greeter")
    login_as(auth, world, "admin")
    assert 'href="/admin/plugins/greeter"' in client.get("/admin/plugins").get_data(as_text=True)
    form = client.get("/admin/plugins/greeter").get_data(as_text=True)
    assert 'value="Hello from greeter"' in form
    refused = post_form(client, "/admin/plugins/greeter", GREETING="x" * 41)
    assert refused.status_code == 200
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    saved = post_form(client, "/admin/plugins/greeter", GREETING="Welcome", LOUD="y")
    assert saved.status_code == 302
    assert '<p class="greeter-banner">WELCOME</p>' in client.get("/").get_data(as_text=True)
    assert ("plugin.settings", "greeter") in audit_actions(app)
    assert client.get("/admin/plugins/pages").status_code == 404  # not enabled


def test_a_plugin_setting_with_control_characters_is_refused(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    enable(app, "greeter")
    login_as(auth, world, "admin")
    refused = post_form(client, "/admin/plugins/greeter", GREETING="line\nbreak")
    assert refused.status_code == 200
    assert "control characters" in refused.get_data(as_text=True)
    assert ("plugin.settings", "greeter") not in audit_actions(app)


def test_a_plugin_adds_a_validated_field_to_the_registration_form(
    app: Flask, client: FlaskClient, world: World
) -> None:
    assert "club_colour" not in client.get("/auth/register").get_data(as_text=True)
    enable(app, "greeter")
    greeter.HEARD.clear()
    page = client.get("/auth/register").get_data(as_text=True)
    assert '<label for="club_colour">Colour of the club</label>' in page
    refused = register(client, "newbie", "newbie@example.org", club_colour="red")
    assert "Only members of the blue club may join." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "newbie")) is None
    assert greeter.HEARD == []
    assert register(client, "newbie", "newbie@example.org", club_colour="blue").status_code == 302
    with app.app_context():
        newbie = db.session.scalar(select(User.id).where(User.username == "newbie"))
    assert [MemberRegistered(newbie, "newbie", activated=False)] == greeter.HEARD


def test_the_api_shows_enabled_plugins_settings_to_administrators_only(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    enable(app, "greeter")
    assert client.get("/api/v1/plugins").status_code == 401
    login_as(auth, world, "member")
    refused = client.get("/api/v1/plugins")
    assert refused.status_code == 403
    assert "Hello from greeter" not in refused.get_data(as_text=True)
    auth.logout()
    login_as(auth, world, "admin")
    answer = client.get("/api/v1/plugins")
    assert answer.status_code == 200
    assert answer.json == {
        "items": [
            {
                "name": "greeter",
                "version": "1.0",
                "summary": "The greeter sample plugin",
                "settings": {"GREETING": "Hello from greeter", "LOUD": False},
            }
        ]
    }

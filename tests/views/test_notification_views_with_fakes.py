"""The notification views with fake services injected through ``as_view``: the blueprint
mounted in a bare Flask app with no database, beside the forum and auth blueprints (for
their URLs and the layout), each view calling the factories of
:class:`~forumapp.notifications.NotificationFactories` it was given."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from flask import Flask
from flask_login import LoginManager

from forumapp.auth import create_auth_blueprint
from forumapp.forum import create_forum_blueprint
from forumapp.forum.errors import NotFound
from forumapp.jobs import install_jobs
from forumapp.notifications import NotificationFactories, create_notifications_blueprint
from forumapp.notifications.inbox import Bell
from forumapp.notifications.kinds import Kind, Level
from forumapp.notifications.tokens import InvalidUnsubscribeToken, Unsubscription
from forumapp.notifications.views import WatchForum, WatchTopic
from forumapp.resources import static_folder, template_folder
from tests.fakes import FakeUser
from tests.views.test_forum_views_with_fakes import ACTOR, MEMBER, Recorder, unused
from tests.views.test_forum_views_with_fakes import factories as forum_factories


def factories(**given: Callable[[], Any]) -> NotificationFactories:
    """The fake actor, the given services, and nothing else."""
    chosen: dict[str, Callable[[], Any]] = {
        "actor": lambda: ACTOR,
        "inbox": unused,
        "watching": unused,
        "choices": unused,
        "tokens": unused,
        "fan_out": unused,
        "mail": unused,
        "per_page": lambda: 30,
    }
    chosen.update(given)
    return NotificationFactories(**chosen)


def bare_app(f: NotificationFactories, member: FakeUser | None = MEMBER) -> Flask:
    """A Flask app with no database: the notifications blueprint over ``f``."""
    app = Flask(__name__, template_folder=template_folder(), static_folder=static_folder())
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False, DEFAULT_TIMEZONE="UTC")
    LoginManager(app).request_loader(lambda request: member)
    install_jobs(app)  # the blueprint registers its jobs; none runs here
    app.register_blueprint(create_forum_blueprint(forum_factories()))
    app.register_blueprint(create_auth_blueprint())
    app.register_blueprint(create_notifications_blueprint(f))
    return app


def test_opening_a_notification_asks_the_inbox_for_the_member_and_follows_it() -> None:
    line = SimpleNamespace(post_id=7, topic_id=3, detail="", conversation_id=None)
    inbox = Recorder(open=line)
    response = bare_app(factories(inbox=lambda: inbox)).test_client().get("/notifications/42")
    assert (response.status_code, response.location) == (302, "/post/7")
    assert inbox.calls == [("open", (8, 42))]


def test_a_notification_the_inbox_does_not_find_is_a_404() -> None:
    inbox = Recorder(open=NotFound())
    app = bare_app(factories(inbox=lambda: inbox))
    assert app.test_client().get("/notifications/42").status_code == 404


def test_a_deleted_topic_leads_back_to_the_list() -> None:
    line = SimpleNamespace(post_id=None, topic_id=3, detail="topic.delete", conversation_id=None)
    app = bare_app(factories(inbox=lambda: Recorder(open=line)))
    assert app.test_client().get("/notifications/42").location == "/notifications"


def test_mark_all_read_is_one_call_for_the_member() -> None:
    inbox = Recorder(mark_all_read=2)
    client = bare_app(factories(inbox=lambda: inbox)).test_client()
    assert client.post("/notifications/mark-all-read").location == "/notifications"
    assert inbox.calls == [("mark_all_read", (8,))]


def test_watching_is_two_small_views_on_the_injected_service() -> None:
    watching = Recorder(watch_topic=5, watch_forum=3)
    app = bare_app(factories(watching=lambda: watching))
    client = app.test_client()
    assert client.post("/topic/5/watch", data={"level": "muted"}).location == "/topic/5"
    assert client.post("/forum/3/watch", data={"level": "watching"}).location == "/forum/3"
    assert client.post("/topic/5/watch", data={"level": "loud"}).status_code == 400
    assert watching.calls == [
        ("watch_topic", (ACTOR, 5, Level.MUTED)),
        ("watch_forum", (ACTOR, 3, Level.WATCHING)),
    ]
    assert app.view_functions["notifications.watch_topic"].view_class is WatchTopic  # type: ignore[attr-defined]
    assert app.view_functions["notifications.watch_forum"].view_class is WatchForum  # type: ignore[attr-defined]


def test_guests_are_refused_and_nothing_is_called() -> None:
    app = bare_app(factories(), member=None)
    client = app.test_client()
    for response in (
        client.get("/notifications"),
        client.get("/notifications/1"),
        client.post("/topic/5/watch", data={"level": "muted"}),
    ):
        # A 401, or the login page once an app in this process has named one (the
        # factories given would fail the request with a 500 if a view had called one).
        assert response.status_code in (302, 401)
        assert response.status_code == 401 or "/auth/login" in response.location


def test_one_click_unsubscribe_turns_off_what_the_token_names() -> None:
    tokens = Recorder(read=Unsubscription(8, (Kind.MENTION,)))
    choices = Recorder()
    app = bare_app(factories(tokens=lambda: tokens, choices=lambda: choices), member=None)
    response = app.test_client().post("/notifications/unsubscribe/abc")
    assert response.status_code == 200
    assert "You will no longer get these emails" in response.get_data(as_text=True)
    assert choices.calls == [("turn_off", (8, (Kind.MENTION,)))]


def test_an_invalid_unsubscribe_token_is_a_400_and_turns_nothing_off() -> None:
    tokens = Recorder(read=InvalidUnsubscribeToken())
    choices = Recorder()
    app = bare_app(factories(tokens=lambda: tokens, choices=lambda: choices), member=None)
    assert app.test_client().post("/notifications/unsubscribe/abc").status_code == 400
    assert choices.calls == []


def test_the_bell_asks_the_inbox_once_per_request_with_the_pages_topic() -> None:
    inbox = Recorder(bell=Bell(3, Level.MUTED, None))
    app = bare_app(factories(inbox=lambda: inbox))
    bell = app.jinja_env.globals["notification_bell"]
    with app.test_request_context("/topic/9"):
        assert bell() == bell() == Bell(3, Level.MUTED, None)  # type: ignore[operator]
    assert inbox.calls == [("bell", (8, 9, None))]

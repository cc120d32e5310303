"""The messaging views with fake services injected through ``as_view``: the blueprint
mounted in a bare Flask app with no database; who is asking reaches the services as an
argument."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask_login import LoginManager

from forumapp.extensions import login_manager
from forumapp.forum import create_forum_blueprint
from forumapp.forum.errors import Flooded, Forbidden, NotFound
from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.messages import MessagesFactories, create_messages_blueprint, default_factories
from forumapp.messages.blocking import Block, Unblock
from forumapp.messages.views import Archive, Mute, Unarchive, Unmute
from tests.fakes import FakeUser
from tests.views.test_forum_views_with_fakes import Recorder, unused
from tests.views.test_forum_views_with_fakes import factories as forum_factories

MEMBER = FakeUser(id=8, username="ann", email="ann@example.org", password_hash="x")
ACTOR = Actor(user_id=8, username="ann", group_id=4, flags=GroupFlags(guest=False))


def factories(**given: Callable[[], Any]) -> MessagesFactories:
    """The fake actor, the given services, and factories that fail for the rest."""
    nothing = dataclasses.replace(
        default_factories(),
        actor=lambda: ACTOR,
        conversations=unused,
        mailbox=unused,
        blocks=unused,
    )
    return dataclasses.replace(nothing, **given)


def bare_app(messages_factories: MessagesFactories, member: FakeUser | None = MEMBER) -> Flask:
    """A Flask app with no database: the messages blueprint over ``messages_factories``,
    and the forum's (over failing factories) for the profile pages the block buttons
    return to."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    login = LoginManager(app)
    login.request_loader(lambda request: member)
    app.register_blueprint(create_messages_blueprint(messages_factories))
    app.register_blueprint(create_forum_blueprint(forum_factories(actor=unused)))
    return app


def test_a_new_conversation_is_started_by_the_injected_service_as_the_injected_actor() -> None:
    service = Recorder(start=SimpleNamespace(id=31))
    app = bare_app(factories(conversations=lambda: service))
    data = {"recipients": "bob, Carol  dave", "subject": "Plans", "content": "Hello all"}
    response = app.test_client().post("/messages/new", data=data)
    assert response.status_code == 302 and response.location == "/messages/31"
    assert service.calls == [("start", (ACTOR, ["bob", "Carol", "dave"], "Plans", "Hello all"))]


def test_a_reply_goes_to_the_injected_service_and_back_to_the_message() -> None:
    service = Recorder(reply=SimpleNamespace(id=77))
    app = bare_app(factories(conversations=lambda: service))
    response = app.test_client().post("/messages/5", data={"content": "Sure."})
    assert response.location == "/messages/5#message-77"
    assert service.calls == [("reply", (ACTOR, 5, "Sure."))]


@pytest.mark.parametrize(
    ("action", "view", "call"),
    [
        ("archive", Archive, ("set_archived", (ACTOR, 5, True))),
        ("unarchive", Unarchive, ("set_archived", (ACTOR, 5, False))),
        ("mute", Mute, ("set_muted", (ACTOR, 5, True))),
        ("unmute", Unmute, ("set_muted", (ACTOR, 5, False))),
        ("leave", None, ("leave", (ACTOR, 5))),
    ],
)
def test_each_change_of_place_is_its_own_small_view(
    action: str, view: type | None, call: tuple[str, tuple[Any, ...]]
) -> None:
    service = Recorder()
    app = bare_app(factories(conversations=lambda: service))
    response = app.test_client().post(f"/messages/5/{action}")
    assert response.status_code == 302
    assert service.calls == [call]
    if view is not None:
        assert app.view_functions[f"messages.{action}"].view_class is view  # type: ignore[attr-defined]


def test_block_and_unblock_reach_the_injected_block_service_for_the_member() -> None:
    blocks = Recorder(
        block=SimpleNamespace(username="Bob"), unblock=SimpleNamespace(username="Bob")
    )
    app = bare_app(factories(blocks=lambda: blocks))
    client = app.test_client()
    assert client.post("/user/bob/block").location == "/user/Bob"
    assert client.post("/user/bob/unblock").location == "/user/Bob"
    assert blocks.calls == [("block", (8, "bob")), ("unblock", (8, "bob"))]
    assert app.view_functions["messages.block"].view_class is Block  # type: ignore[attr-defined]
    assert app.view_functions["messages.unblock"].view_class is Unblock  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("error", "status"),
    [(NotFound(), 404), (Forbidden("No."), 403), (Flooded("Wait.", 30), 429)],
)
def test_domain_errors_become_the_blueprints_answers(error: Exception, status: int) -> None:
    service = Recorder(reply=error)
    app = bare_app(factories(conversations=lambda: service))
    assert app.test_client().post("/messages/5", data={"content": "Hi"}).status_code == status


def test_guests_are_sent_to_log_in_before_any_service_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The views' login check is forumapp's own: it sends guests to the app's login view.
    monkeypatch.setattr(login_manager, "login_view", "auth.login")
    app = bare_app(factories(actor=unused), member=None)
    auth = Blueprint("auth", __name__)
    auth.add_url_rule("/login", "login", lambda: "the host's login page")
    app.register_blueprint(auth)
    client = app.test_client()
    for path in ("/messages/", "/messages/new", "/messages/5"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.post("/user/bob/block").status_code == 302

"""The moderation views with fake services injected through ``as_view``: the bulk form,
its confirmation page and Undo in a bare app with no database, and the reports queue's
actions reaching an injected report desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient

from forumapp.forum import views
from forumapp.forum.errors import InvalidInput
from forumapp.forum.models import Topic
from forumapp.forum.moderation import TopicAction, TopicsChanged
from forumapp.management.reports.views import ReportsView
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.views.test_forum_views_with_fakes import ACTOR, bare_app, factories


@dataclass
class FakeModeration:
    """A moderation service that records its calls and answers ``changed``."""

    changed: TopicsChanged
    refusal: Exception | None = None
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def topics_for_action(
        self, actor: Any, forum_id: int, topic_ids: list[int], action: TopicAction
    ) -> list[Topic]:
        """The topics a confirmation page lists."""
        self.calls.append(("topics_for_action", actor, forum_id, topic_ids, action))
        return [Topic(id=i, title=f"Fake topic {i}", author_name="zed") for i in topic_ids]

    def act_on_topics(
        self,
        actor: Any,
        forum_id: int,
        topic_ids: list[int],
        action: TopicAction,
        target: int | None = None,
        *,
        client_address: str = "",
    ) -> TopicsChanged:
        """Record the action; refuse it when told to."""
        self.calls.append(("act_on_topics", actor, forum_id, topic_ids, action, target))
        if self.refusal is not None:
            raise self.refusal
        return self.changed


def moderation_app(service: FakeModeration) -> Flask:
    return bare_app(factories(moderation_service=lambda: service))


def test_a_bulk_move_reaches_the_injected_service_as_the_injected_actor() -> None:
    service = FakeModeration(TopicsChanged(TopicAction.MOVE, (1, 2), "Support"))
    client = moderation_app(service).test_client()
    response = client.post(
        "/forum/3/moderate",
        data={"action": "move", "topic_ids": ["1", "2"], "target_forum_id": "9"},
    )
    assert response.status_code == 302
    assert service.calls == [("act_on_topics", ACTOR, 3, [1, 2], TopicAction.MOVE, 9)]
    with client.session_transaction() as session:
        assert [message for _, message in session["_flashes"]] == ["2 topics moved to Support."]


def test_delete_shows_the_confirmation_before_acting(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bare app has no site templates: the page's name and topics stand for it.
    monkeypatch.setattr(
        views,
        "render_template",
        lambda name, **context: f"{name}: {[t.title for t in context['topics']]}",
    )
    service = FakeModeration(TopicsChanged(TopicAction.DELETE, (4,)))
    client = moderation_app(service).test_client()
    page = client.post("/forum/3/moderate", data={"action": "delete", "topic_ids": ["4"]})
    assert page.status_code == 200
    assert page.get_data(as_text=True) == "forum/confirm_delete_topics.html: ['Fake topic 4']"
    assert [call[0] for call in service.calls] == ["topics_for_action"]


def test_a_confirmed_delete_offers_an_undo_of_exactly_the_changed_topics() -> None:
    service = FakeModeration(TopicsChanged(TopicAction.DELETE, (4, 6)))
    client = moderation_app(service).test_client()
    response = client.post(
        "/forum/3/moderate", data={"action": "delete", "topic_ids": ["4", "5", "6"], "confirm": "y"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/forum/3"
    with client.session_transaction() as session:
        assert session["moderation_undo"] == {"forum_id": 3, "topic_ids": [4, 6]}


def test_a_refused_input_becomes_a_message_not_an_error() -> None:
    service = FakeModeration(
        TopicsChanged(TopicAction.LOCK, ()),
        refusal=InvalidInput("topic_ids", "Select at least one topic."),
    )
    client = moderation_app(service).test_client()
    response = client.post("/forum/3/moderate", data={"action": "lock"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["_flashes"] == [("error", "Select at least one topic.")]


@dataclass
class FakeDesk:
    """A report desk that records the actions asked of it."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def entries(self, actor: Any, *, resolved: bool = False) -> list[Any]:
        """An empty queue."""
        self.calls.append(("entries", actor, resolved))
        return []

    def warn_author(self, actor: Any, report_id: int, reason: str, *, client_address: str) -> None:
        """Record a warning."""
        self.calls.append(("warn_author", actor, report_id, reason))

    def dismiss(self, actor: Any, report_id: int, note: str, *, client_address: str) -> None:
        """Record a dismissal."""
        self.calls.append(("dismiss", actor, report_id, note))


def fake_queue(app: Flask, desk: FakeDesk) -> None:
    bp = Blueprint("fakereports", __name__, url_prefix="/fakereports")
    bp.add_url_rule(
        "/",
        view_func=ReportsView.as_view(
            "reports", report_desk_factory=lambda: desk, actor_factory=lambda: ACTOR
        ),
    )
    app.register_blueprint(bp)


def test_report_actions_reach_the_injected_desk_as_the_injected_actor(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    desk = FakeDesk()
    fake_queue(app, desk)
    login_as(auth, world, "admin")
    assert client.get("/fakereports/?status=resolved").status_code == 200
    assert (
        post_form(
            client, "/fakereports/", report_id="77", action="warn", note="Be kind"
        ).status_code
        == 302
    )
    assert post_form(client, "/fakereports/", report_id="78").status_code == 302
    assert desk.calls == [
        ("entries", ACTOR, True),
        ("warn_author", ACTOR, 77, "Be kind"),
        ("dismiss", ACTOR, 78, ""),
    ]

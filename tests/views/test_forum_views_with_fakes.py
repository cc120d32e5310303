"""The forum views with fake services injected through ``as_view``: the blueprint mounted
in a bare Flask app with no database, each view handed its collaborators by
:class:`~forumapp.forum.ForumFactories`, and who is asking handed to the services as an
argument."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask_login import LoginManager

from forumapp.forum import ForumFactories, create_forum_blueprint
from forumapp.forum.errors import Flooded, Forbidden, InvalidInput, NotFound
from forumapp.forum.pages import CategoryPage, ForumPages
from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.forum.reading import Reader
from forumapp.forum.views import MarkAllRead, MarkForumRead
from forumapp.persistence import PersistenceError
from tests.fakes import FakeUser

MEMBER = FakeUser(id=8, username="ann", email="ann@example.org", password_hash="x")
#: Who is asking, as the fake factory hands it: the views must pass this very object on.
ACTOR = Actor(
    user_id=8,
    username="ann",
    group_id=4,
    flags=GroupFlags(guest=False),
    visible_forums=frozenset({3}),
)
READER = Reader(8, datetime(2026, 1, 1, tzinfo=UTC))


class Recorder:
    """A fake service: records every call and answers from ``answers`` (or raises)."""

    def __init__(self, **answers: Any) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._answers = answers

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any) -> Any:
            self.calls.append((name, args))
            answer = self._answers.get(name)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def unused() -> Any:
    """A factory no view under test may call."""
    raise AssertionError("this view reached for a service it was not given")


def factories(**given: Callable[[], Any]) -> ForumFactories:
    """The fake actor and reader, the given services, and nothing else."""
    chosen: dict[str, Callable[[], Any]] = {
        "actor": lambda: ACTOR,
        "reader": lambda: READER,
        "forum_reader": unused,
        "read_tracker": unused,
        "topic_visits": unused,
        "posting_service": unused,
        "moderation_service": unused,
        "search_service": unused,
        "community_stats": unused,
    }
    chosen.update(given)
    return ForumFactories(**chosen)


def bare_app(forum_factories: ForumFactories, member: FakeUser | None = MEMBER) -> Flask:
    """A Flask app with no database: the forum blueprint over ``forum_factories``."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="x",
        WTF_CSRF_ENABLED=False,
        POSTS_PER_PAGE=10,
        TOPICS_PER_PAGE=20,
        PAGE_WRITE_WAIT_MS=100,
        SIGNATURES_ENABLED=True,
        DEFAULT_TIMEZONE="UTC",
    )
    LoginManager(app).request_loader(lambda request: member)
    app.register_blueprint(create_forum_blueprint(forum_factories))
    return app


def test_permalink_asks_the_injected_reader_on_behalf_of_the_injected_actor() -> None:
    reader = Recorder(post_location=(7, 3))
    app = bare_app(factories(forum_reader=lambda: reader), member=None)
    response = app.test_client().get("/post/42")
    assert response.status_code == 302
    assert response.location == "/topic/7?page=3#post-42"
    assert reader.calls == [("post_location", (ACTOR, 42, 10))]


def test_permalink_of_a_post_the_reader_cannot_find_is_a_404() -> None:
    reader = Recorder(post_location=NotFound())
    app = bare_app(factories(forum_reader=lambda: reader), member=None)
    assert app.test_client().get("/post/42").status_code == 404


def test_first_unread_hands_the_member_to_the_reader_as_an_argument() -> None:
    reader = Recorder(first_unread_post=55)
    app = bare_app(factories(forum_reader=lambda: reader))
    response = app.test_client().get("/topic/9/unread")
    assert response.status_code == 302
    assert response.location == "/post/55"
    assert reader.calls == [("first_unread_post", (ACTOR, READER, 9))]


def test_marking_a_forum_and_everything_read_are_two_views_on_the_injected_tracker() -> None:
    tracker = Recorder()
    app = bare_app(factories(read_tracker=lambda: tracker))
    client = app.test_client()
    assert client.post("/forum/3/mark-read").location == "/forum/3"
    assert client.post("/mark-all-read").location == "/"
    assert tracker.calls == [("mark_forum_read", (8, 3)), ("mark_all_read", (8,))]
    # One view per action, no mode switch passed through as_view.
    assert app.view_functions["forum.mark_forum_read"].view_class is MarkForumRead  # type: ignore[attr-defined]
    assert app.view_functions["forum.mark_all_read"].view_class is MarkAllRead  # type: ignore[attr-defined]
    # A forum the actor may not see is not marked, and does not exist for them.
    assert client.post("/forum/4/mark-read").status_code == 404
    assert len(tracker.calls) == 2


def test_reply_is_posted_through_the_injected_service_as_the_injected_actor() -> None:
    posting = Recorder(reply=SimpleNamespace(id=99))
    app = bare_app(factories(posting_service=lambda: posting))
    response = app.test_client().post("/topic/5/reply", data={"content": "Thanks, it works."})
    assert response.status_code == 302
    assert response.location == "/post/99"
    assert posting.calls == [("reply", (ACTOR, 5, "Thanks, it works."))]


def test_forum_page_loader_passes_actor_reader_and_page_to_the_injected_reader() -> None:
    shown = SimpleNamespace(moderator=False, forum=SimpleNamespace(id=3))
    reader = Recorder(forum_page=shown)
    app = bare_app(factories(forum_reader=lambda: reader))
    pages = ForumPages(factories(forum_reader=lambda: reader))
    with app.test_request_context("/forum/3?page=2"):
        context = pages.forum(forum_id=3)
    # Readers who moderate nothing here load no forum list for the move tools.
    assert context == {"view": shown, "actor": ACTOR, "move_targets": []}
    assert reader.calls == [("forum_page", (ACTOR, READER, 3, 2, 20))]


def test_topic_page_records_the_visit_through_the_injected_service() -> None:
    shown = SimpleNamespace(
        posts=[SimpleNamespace(post=SimpleNamespace(number=n)) for n in (11, 12)],
        forum=SimpleNamespace(id=3),
        topic=SimpleNamespace(id=9),
        moderator=False,
    )
    reader = Recorder(topic_page=shown)
    visits = Recorder()
    pages = ForumPages(factories(forum_reader=lambda: reader, topic_visits=lambda: visits))
    with bare_app(factories()).test_request_context("/topic/9"):
        context = pages.topic(topic_id=9)
    assert context["view"] is shown
    assert reader.calls == [("topic_page", (ACTOR, 9, 1, 10))]
    # The member who read the page, as the injected actor names them, up to its last post.
    assert visits.calls == [("record", (9, 8, 12))]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/post/1", "get"),
        ("/topic/1/unread", "get"),
        ("/forum/3/mark-read", "post"),
        ("/mark-all-read", "post"),
        ("/topic/1/reply", "post"),
    ],
)
def test_forum_views_reach_no_service_they_were_not_given(path: str, method: str) -> None:
    # Every factory is the failing one: a view that built a service of its own (or
    # read the database) would get past this.
    app = bare_app(factories(actor=lambda: ACTOR))
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(AssertionError, match="was not given"):
        getattr(app.test_client(), method)(path, data={"content": "Some text."})


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound(), 404),
        (Forbidden("This forum is closed."), 403),
        (InvalidInput("content", "Say something."), 422),
        (PersistenceError(), 409),
    ],
)
def test_a_domain_error_of_the_service_is_answered_by_the_blueprint(
    error: Exception, status: int
) -> None:
    posting = Recorder(reply=error)
    app = bare_app(factories(posting_service=lambda: posting))
    response = app.test_client().post("/topic/5/reply", data={"content": "Thanks, it works."})
    assert response.status_code == status


def test_domain_errors_are_answered_by_the_host_apps_own_error_pages() -> None:
    # As abort() would be: an app embedding the blueprint keeps its own 403 page.
    posting = Recorder(reply=Forbidden("This forum is closed."))
    app = bare_app(factories(posting_service=lambda: posting))
    app.register_error_handler(403, lambda error: (f"Host says: {error.description}", 403))
    response = app.test_client().post("/topic/5/reply", data={"content": "Thanks, it works."})
    assert (response.status_code, response.text) == (403, "Host says: This forum is closed.")


def test_page_views_hand_their_named_url_values_to_the_loaders() -> None:
    reader = Recorder(index=NotFound())
    app = bare_app(factories(forum_reader=lambda: reader))
    # The slug is part of the URL only; the id alone reaches the service.
    assert app.test_client().get("/category/7-news").status_code == 404
    assert reader.calls == [("index", (ACTOR, READER, 7))]
    assert app.view_functions["forum.category"].view_class is CategoryPage  # type: ignore[attr-defined]


#: A member who may post: the writing views render their forms for this actor.
WRITER = Actor(
    user_id=8,
    username="ann",
    group_id=4,
    flags=GroupFlags(guest=False, posttopic=True, postreply=True, editpost=True),
    visible_forums=frozenset({3}),
)
OPEN_FORUM = SimpleNamespace(id=3, locked=False)
OPEN_TOPIC = SimpleNamespace(id=5, forum_id=3, deleted=False, locked=False)


def rendered_forms(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The contexts the forum views render their templates with (instead of the pages)."""
    contexts: list[dict[str, Any]] = []

    def render(template: str, **context: Any) -> str:
        contexts.append({"template": template, **context})
        return template

    monkeypatch.setattr("forumapp.forum.views.render_template", render)
    return contexts


@pytest.mark.parametrize(
    ("path", "data", "service_call"),
    [
        ("/topic/5/reply", {"content": "My long answer."}, "reply"),
        ("/forum/3/new-topic", {"title": "A title", "content": "My long answer."}, "create_topic"),
    ],
)
def test_a_flooded_post_comes_back_filled_with_the_wait(
    monkeypatch: pytest.MonkeyPatch, path: str, data: dict[str, str], service_call: str
) -> None:
    contexts = rendered_forms(monkeypatch)
    refusal = Flooded("You can post again in 12 seconds.", 12)
    posting = Recorder(
        **{service_call: refusal}, find_topic=(OPEN_TOPIC, OPEN_FORUM), find_forum=OPEN_FORUM
    )
    app = bare_app(factories(actor=lambda: WRITER, posting_service=lambda: posting))
    response = app.test_client().post(path, data={**data, "submit": "1"})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "12")
    form = contexts[-1]["form"]
    assert form.content.data == "My long answer."
    assert form.form_errors == ["You can post again in 12 seconds."]
    assert posting.calls[0][1][0] is WRITER


def test_a_flooded_preview_keeps_the_text_and_shows_no_preview(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contexts = rendered_forms(monkeypatch)
    posting = Recorder(
        preview=Flooded("You can preview again in 40 seconds.", 40),
        find_topic=(OPEN_TOPIC, OPEN_FORUM),
    )
    app = bare_app(factories(actor=lambda: WRITER, posting_service=lambda: posting))
    response = app.test_client().post("/topic/5/reply", data={"content": "Draft", "preview": "1"})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "40")
    assert contexts[-1]["preview"] is None
    assert contexts[-1]["form"].content.data == "Draft"


def test_a_reply_quoting_a_post_asks_the_service_for_the_quote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contexts = rendered_forms(monkeypatch)
    posting = Recorder(quote="> quoted\n\n", find_topic=(OPEN_TOPIC, OPEN_FORUM))
    app = bare_app(factories(actor=lambda: WRITER, posting_service=lambda: posting))
    assert app.test_client().get("/topic/5/reply?quote=44").status_code == 200
    assert ("quote", (WRITER, 5, 44)) in posting.calls
    assert contexts[-1]["form"].content.data == "> quoted\n\n"

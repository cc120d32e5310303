"""Deleting a post and undoing it, with fake services injected through ``as_view``: the
delete offers the injected Undo's token, and the Undo hands the token to the injected
service on behalf of the injected actor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask_babel import Babel

from forumapp.forum.errors import Forbidden, InvalidInput
from forumapp.forum.models import Post
from tests.views.test_forum_views_with_fakes import ACTOR, bare_app, factories


@dataclass
class FakePosting:
    """A posting service whose deletions delete post ``number`` of a topic."""

    number: int = 2
    deleted: list[int] = field(default_factory=list)

    def delete_post(self, actor: Any, post_id: int) -> Post:
        self.deleted.append(post_id)
        return Post(id=post_id, topic_id=1, number=self.number, deleted=True)


@dataclass
class FakeUndo:
    """An Undo service that offers ``token`` and records what it is asked to undo."""

    token: str | None = "signed-token"
    refusal: Exception | None = None
    undone: list[tuple[Any, int, str]] = field(default_factory=list)

    def offer(self, actor: Any, post: Post) -> str | None:
        return self.token

    def undo(self, actor: Any, post_id: int, token: str) -> Post:
        if self.refusal is not None:
            raise self.refusal
        self.undone.append((actor, post_id, token))
        return Post(id=post_id, topic_id=1, number=2)


def undo_app(posting: FakePosting, undo: FakeUndo) -> Flask:
    """The bare forum app over the fakes, with Flask-Babel bound (the view's messages go
    through gettext)."""
    app = bare_app(factories(posting_service=lambda: posting, post_undo=lambda: undo))
    Babel(app)
    return app


def test_deleting_a_reply_offers_the_injected_undo() -> None:
    posting, undo = FakePosting(), FakeUndo()
    client = undo_app(posting, undo).test_client()
    assert client.post("/post/9/delete").status_code == 302
    assert posting.deleted == [9]
    with client.session_transaction() as session:
        assert session["moderation_undo"] == {"post_id": 9, "token": "signed-token"}


def test_deleting_a_first_post_offers_nothing() -> None:
    client = undo_app(FakePosting(number=1), FakeUndo(token=None)).test_client()
    assert client.post("/post/9/delete").status_code == 302
    with client.session_transaction() as session:
        assert "moderation_undo" not in session


def test_the_undo_reaches_the_injected_service_as_the_injected_actor() -> None:
    undo = FakeUndo()
    client = undo_app(FakePosting(), undo).test_client()
    response = client.post("/post/9/undo-delete", data={"token": "signed-token"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/post/9"
    assert undo.undone == [(ACTOR, 9, "signed-token")]
    with client.session_transaction() as session:
        assert session["_flashes"] == [("success", "The post is restored.")]


def test_an_undo_without_a_token_is_a_bad_request() -> None:
    undo = FakeUndo()
    client = undo_app(FakePosting(), undo).test_client()
    assert client.post("/post/9/undo-delete", data={}).status_code == 400
    assert undo.undone == []


def test_a_refused_undo_is_a_403_and_an_undone_one_a_message() -> None:
    refused = undo_app(FakePosting(), FakeUndo(refusal=Forbidden("Not yours."))).test_client()
    assert refused.post("/post/9/undo-delete", data={"token": "t"}).status_code == 403
    done = FakeUndo(refusal=InvalidInput("token", "This post is not deleted any more."))
    client = undo_app(FakePosting(), done).test_client()
    assert client.post("/post/9/undo-delete", data={"token": "t"}).status_code == 302
    with client.session_transaction() as session:
        assert session["_flashes"] == [("error", "This post is not deleted any more.")]

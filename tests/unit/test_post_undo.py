"""The Undo tokens of post deletions without Flask: bound to the post, the deleter and
the moment of deletion, and expiring."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from forumapp.forum.errors import Forbidden
from forumapp.forum.models import Post
from forumapp.forum.permissions import Actor
from forumapp.forum.post_undo import EXPIRED, FORGED, UNDO_MINUTES, PostUndo
from forumapp.persistence import DbSession
from tests.fakes import FixedClock

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Unreachable:
    """A session the refusals below must never reach."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the database was asked ({name})")


def undo_service(clock: FixedClock, secret: str = "s3cret") -> PostUndo:
    return PostUndo(cast(DbSession, Unreachable()), clock, secret)


def deleted_reply() -> Post:
    return Post(id=7, topic_id=1, number=2, deleted=True, deleted_at=T0, deleted_by="alice")


def actor(user_id: int | None) -> Actor:
    return cast(Actor, type("FakeActor", (), {"user_id": user_id})())


def refusal(service: PostUndo, who: Actor, post_id: int, token: str) -> str:
    with pytest.raises(Forbidden) as refused:
        service.undo(who, post_id, token)
    return refused.value.reason


def test_an_undo_expires() -> None:
    clock = FixedClock(T0)
    service = undo_service(clock)
    token = service.offer(actor(3), deleted_reply())
    assert token is not None
    clock.advance(minutes=UNDO_MINUTES, seconds=1)
    assert refusal(service, actor(3), 7, token) == EXPIRED


def test_a_token_is_bound_to_its_post_its_deleter_and_the_secret() -> None:
    clock = FixedClock(T0)
    token = undo_service(clock).offer(actor(3), deleted_reply())
    assert token is not None
    assert refusal(undo_service(clock), actor(4), 7, token) == FORGED
    assert refusal(undo_service(clock), actor(3), 8, token) == FORGED
    assert refusal(undo_service(clock, "another"), actor(3), 7, token) == FORGED
    assert refusal(undo_service(clock), actor(3), 7, "not-a-token") == FORGED


def test_nothing_is_offered_for_a_guest_or_a_first_post() -> None:
    service = undo_service(FixedClock(T0))
    first = Post(id=1, topic_id=1, number=1, deleted=True, deleted_at=T0)
    assert service.offer(actor(3), first) is None
    assert service.offer(actor(None), deleted_reply()) is None

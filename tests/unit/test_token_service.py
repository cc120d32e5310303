"""The personal access token service on a real, freshly migrated database (no requests)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import delete, event, select

from forumapp.api.models import ApiToken
from forumapp.api.tokens import (
    NAME_REQUIRED,
    NAME_TAKEN,
    NAME_TOO_LONG,
    PREFIX_LENGTH,
    WHOLE_FORM,
    TokenError,
    TokenScope,
    TokenService,
)
from forumapp.extensions import db
from forumapp.forum.errors import NotFound
from forumapp.users.models import User
from tests.conftest import MakeUser
from tests.fakes import FixedClock


@dataclass
class Kit:
    service: TokenService
    clock: FixedClock
    alice: int
    bob: int


@pytest.fixture
def kit(app: Flask, make_user: MakeUser) -> Iterator[Kit]:
    alice, bob = make_user("alice").id, make_user("bob").id
    clock = FixedClock()
    with app.app_context():
        yield Kit(TokenService(db.session, clock, max_tokens=3), clock, alice, bob)


def stored(token_id: int) -> ApiToken:
    """The row as another request would read it."""
    db.session.expire_all()
    token = db.session.get(ApiToken, token_id)
    assert token is not None
    return token


def test_issue_stores_the_hash_and_a_prefix_never_the_secret(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "  backup script ", TokenScope.WRITE)

    assert issued.secret.startswith("fa_")
    assert len(issued.secret) == 46
    token = stored(issued.token.id)
    assert token.name == "backup script"
    assert token.scope == "write"
    assert token.prefix == issued.secret[:PREFIX_LENGTH]
    assert token.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert token.created_at == kit.clock.now
    assert token.last_used_at is None
    row = db.session.execute(select(ApiToken.__table__)).one()
    assert issued.secret not in [str(value) for value in row]


def test_every_secret_is_new(kit: Kit) -> None:
    first = kit.service.issue(kit.alice, "one", TokenScope.READ)
    second = kit.service.issue(kit.alice, "two", TokenScope.READ)
    assert first.secret != second.secret
    assert first.token.token_hash != second.token.token_hash


@pytest.mark.parametrize(
    ("name", "reason"), [("", NAME_REQUIRED), ("   ", NAME_REQUIRED), ("x" * 65, NAME_TOO_LONG)]
)
def test_a_name_is_required_and_bounded(kit: Kit, name: str, reason: str) -> None:
    with pytest.raises(TokenError) as caught:
        kit.service.issue(kit.alice, name, TokenScope.READ)
    assert (caught.value.field, caught.value.reason) == ("name", reason)
    assert kit.service.tokens_of(kit.alice) == []


def test_names_are_unique_per_member_whatever_their_case(kit: Kit) -> None:
    kit.service.issue(kit.alice, "CI", TokenScope.READ)
    with pytest.raises(TokenError) as caught:
        kit.service.issue(kit.alice, "ci", TokenScope.WRITE)
    assert (caught.value.field, caught.value.reason) == ("name", NAME_TAKEN)
    # Another member may use the same name.
    kit.service.issue(kit.bob, "ci", TokenScope.READ)
    assert [token.name for token in kit.service.tokens_of(kit.alice)] == ["CI"]


def test_a_member_holds_at_most_max_tokens(kit: Kit) -> None:
    for name in ("a", "b", "c"):
        kit.service.issue(kit.alice, name, TokenScope.READ)
    with pytest.raises(TokenError) as caught:
        kit.service.issue(kit.alice, "d", TokenScope.READ)
    assert caught.value.field == WHOLE_FORM
    assert "3 tokens" in caught.value.reason
    kit.service.issue(kit.bob, "d", TokenScope.READ)
    # Revoking one makes room again.
    kit.service.revoke(kit.alice, kit.service.tokens_of(kit.alice)[0].id)
    kit.service.issue(kit.alice, "d", TokenScope.READ)


def test_tokens_of_lists_the_members_own_newest_first(kit: Kit) -> None:
    kit.service.issue(kit.alice, "old", TokenScope.READ)
    kit.clock.advance(minutes=1)
    kit.service.issue(kit.bob, "bob's", TokenScope.READ)
    kit.service.issue(kit.alice, "new", TokenScope.WRITE)
    assert [token.name for token in kit.service.tokens_of(kit.alice)] == ["new", "old"]


def test_authenticate_finds_the_token_by_its_secret(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "script", TokenScope.READ)
    token = kit.service.authenticate(issued.secret)
    assert token is not None
    assert (token.id, token.user_id, token.scope) == (issued.token.id, kit.alice, "read")


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "fa_",
        "fa_" + "A" * 43,  # well-formed, never issued
        "fa_" + "A" * 44,
        "xx_" + "A" * 43,
        "fa_" + "A" * 42 + "!",
        "fa_" + "A" * 10_000,
        "fa_" + "é" * 43,
    ],
)
def test_authenticate_refuses_unknown_and_malformed_secrets(kit: Kit, secret: str) -> None:
    kit.service.issue(kit.alice, "script", TokenScope.READ)
    assert kit.service.authenticate(secret) is None


def test_authenticate_refuses_the_hash_and_the_prefix(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "script", TokenScope.READ)
    assert kit.service.authenticate(issued.token.token_hash) is None
    assert kit.service.authenticate(issued.token.prefix) is None
    assert kit.service.authenticate(issued.secret.upper()) is None


def test_last_used_at_is_written_at_most_once_per_touch_interval(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "script", TokenScope.READ)
    first_use = kit.clock.now

    kit.service.authenticate(issued.secret)
    assert stored(issued.token.id).last_used_at == first_use

    kit.clock.advance(seconds=299)
    token = kit.service.authenticate(issued.secret)
    assert token is not None and token.last_used_at == first_use
    assert stored(issued.token.id).last_used_at == first_use

    kit.clock.advance(seconds=2)
    token = kit.service.authenticate(issued.secret)
    assert token is not None and token.last_used_at == kit.clock.now
    assert stored(issued.token.id).last_used_at == kit.clock.now


def test_within_the_interval_authenticate_writes_nothing(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "script", TokenScope.READ)
    kit.service.authenticate(issued.secret)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        kit.clock.advance(seconds=60)
        assert kit.service.authenticate(issued.secret) is not None
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements and all(s.lstrip().upper().startswith("SELECT") for s in statements)


def test_a_member_revokes_their_own_token(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "script", TokenScope.READ)
    kit.service.revoke(kit.alice, issued.token.id)
    assert kit.service.tokens_of(kit.alice) == []
    assert kit.service.authenticate(issued.secret) is None


def test_revoking_someone_elses_token_is_not_found(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "script", TokenScope.READ)
    with pytest.raises(NotFound):
        kit.service.revoke(kit.bob, issued.token.id)
    with pytest.raises(NotFound):
        kit.service.revoke(kit.alice, issued.token.id + 1000)
    assert kit.service.authenticate(issued.secret) is not None


def test_tokens_go_with_their_member(kit: Kit) -> None:
    issued = kit.service.issue(kit.alice, "script", TokenScope.READ)
    db.session.execute(delete(User).where(User.id == kit.alice))
    db.session.commit()
    assert kit.service.authenticate(issued.secret) is None


def test_issuing_for_an_unknown_member_is_not_found(kit: Kit) -> None:
    with pytest.raises(NotFound):
        kit.service.issue(10_000, "script", TokenScope.READ)

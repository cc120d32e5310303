"""Signed, purpose-bound, expiring account tokens."""

from __future__ import annotations

import pytest

from forumapp.auth.exceptions import TokenError
from forumapp.auth.tokens import EXPIRED, INVALID, TokenPurpose, TokenService
from tests.fakes import FakeUser, FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def user() -> FakeUser:
    return FakeUser(id=7, username="alice", email="alice@example.org", password_hash="h1")


def test_a_token_names_its_user(clock: FixedClock, user: FakeUser) -> None:
    tokens = TokenService("secret", clock)
    token = tokens.issue(TokenPurpose.RESET_PASSWORD, user)
    assert tokens.verify(TokenPurpose.RESET_PASSWORD, token, 60, {7: user}.get) is user


def test_a_token_is_bound_to_its_purpose(clock: FixedClock, user: FakeUser) -> None:
    tokens = TokenService("secret", clock)
    token = tokens.issue(TokenPurpose.RESET_PASSWORD, user)
    with pytest.raises(TokenError, match=INVALID[:20]):
        tokens.verify(TokenPurpose.ACTIVATE_ACCOUNT, token, 60, {7: user}.get)


def test_a_token_signed_with_another_key_is_refused(clock: FixedClock, user: FakeUser) -> None:
    token = TokenService("other secret", clock).issue(TokenPurpose.RESET_PASSWORD, user)
    with pytest.raises(TokenError):
        TokenService("secret", clock).verify(TokenPurpose.RESET_PASSWORD, token, 60, {7: user}.get)


def test_a_token_expires(clock: FixedClock, user: FakeUser) -> None:
    tokens = TokenService("secret", clock)
    token = tokens.issue(TokenPurpose.RESET_PASSWORD, user)
    clock.advance(seconds=61)
    with pytest.raises(TokenError) as exc:
        tokens.verify(TokenPurpose.RESET_PASSWORD, token, 60, {7: user}.get)
    assert exc.value.reason == EXPIRED


def test_a_reset_token_dies_with_the_password_hash(clock: FixedClock, user: FakeUser) -> None:
    tokens = TokenService("secret", clock)
    token = tokens.issue(TokenPurpose.RESET_PASSWORD, user)
    user.password_hash = "h2"
    with pytest.raises(TokenError):
        tokens.verify(TokenPurpose.RESET_PASSWORD, token, 60, {7: user}.get)


def test_an_activation_token_dies_with_activation(clock: FixedClock, user: FakeUser) -> None:
    user.activated = False
    tokens = TokenService("secret", clock)
    token = tokens.issue(TokenPurpose.ACTIVATE_ACCOUNT, user)
    user.activated = True
    with pytest.raises(TokenError):
        tokens.verify(TokenPurpose.ACTIVATE_ACCOUNT, token, 60, {7: user}.get)


@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "é" * 50, "\x00" * 4, "W10.abc.def"])
def test_garbage_is_refused_cleanly(clock: FixedClock, user: FakeUser, garbage: str) -> None:
    with pytest.raises(TokenError):
        TokenService("secret", clock).verify(
            TokenPurpose.RESET_PASSWORD, garbage, 60, {7: user}.get
        )


def test_a_deleted_user_invalidates_the_token(clock: FixedClock, user: FakeUser) -> None:
    tokens = TokenService("secret", clock)
    token = tokens.issue(TokenPurpose.RESET_PASSWORD, user)
    with pytest.raises(TokenError):
        tokens.verify(TokenPurpose.RESET_PASSWORD, token, 60, {}.get)

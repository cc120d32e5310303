"""Argon2id hashing and the password policy."""

from __future__ import annotations

import time

import argon2
import pytest

from forumapp.users.models import User
from forumapp.users.passwords import SAMPLE_EVERY_SECONDS, Argon2Hasher, PasswordPolicy


@pytest.fixture(scope="module")
def hasher() -> Argon2Hasher:
    return Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_hashes_are_argon2id_salted_and_verify(hasher: Argon2Hasher) -> None:
    first, second = hasher.hash("a passphrase"), hasher.hash("a passphrase")
    assert first.startswith("$argon2id$")
    assert first != second
    assert hasher.verify(first, "a passphrase")
    assert not hasher.verify(first, "another passphrase")


def test_a_malformed_hash_never_matches(hasher: Argon2Hasher) -> None:
    assert not hasher.verify("not a hash", "anything")
    assert hasher.needs_rehash("not a hash")


def test_changed_parameters_ask_for_a_rehash(hasher: Argon2Hasher) -> None:
    stronger = Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1)
    old = hasher.hash("a passphrase")
    assert not hasher.needs_rehash(old)
    assert stronger.needs_rehash(old)
    assert stronger.verify(old, "a passphrase")


def _cost(password_hash: str) -> tuple[int, int, int]:
    parameters = argon2.extract_parameters(password_hash)
    return parameters.time_cost, parameters.memory_cost, parameters.parallelism


def test_unknown_accounts_are_checked_with_the_parameters_most_stored_hashes_have(
    hasher: Argon2Hasher,
) -> None:
    """After the parameters are raised, most stored hashes still have the old ones."""
    stored = [hasher.hash(f"member {i}") for i in range(3)]
    raised = Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1)
    stored.append(raised.hash("a member who logged in since"))
    sampled = Argon2Hasher(
        time_cost=2, memory_cost=2048, parallelism=1, stored_sample=lambda: stored
    )
    assert _cost(sampled.dummy_hash()) == (1, 1024, 1)
    # And the reverse: once most members have logged in again, the new parameters rule.
    lowered = Argon2Hasher(
        time_cost=1, memory_cost=1024, parallelism=1, stored_sample=lambda: stored[3:]
    )
    assert _cost(lowered.dummy_hash()) == (2, 2048, 1)


def test_without_stored_hashes_unknown_accounts_use_the_current_parameters() -> None:
    for sample in ([], ["not a hash", "$2b$12$bcrypt.hashes.are.not.argon2"]):
        current = Argon2Hasher(
            time_cost=2, memory_cost=2048, parallelism=1, stored_sample=lambda s=sample: s
        )
        assert _cost(current.dummy_hash()) == (2, 2048, 1)
    assert _cost(Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1).dummy_hash()) == (
        2,
        2048,
        1,
    )


def test_the_typical_parameters_are_sampled_again_as_members_log_in(
    hasher: Argon2Hasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1)
    stored = [hasher.hash("old"), hasher.hash("old too")]
    sampled = Argon2Hasher(
        time_cost=2, memory_cost=2048, parallelism=1, stored_sample=lambda: list(stored)
    )
    assert _cost(sampled.dummy_hash()) == (1, 1024, 1)
    stored[:] = [raised.hash("upgraded"), raised.hash("upgraded too")]
    assert _cost(sampled.dummy_hash()) == (1, 1024, 1)  # not before the next sample
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + SAMPLE_EVERY_SECONDS + 1)
    assert _cost(sampled.dummy_hash()) == (2, 2048, 1)


def test_the_hash_fits_the_column() -> None:
    # Even with a 64-byte salt and hash, the encoded form is far below the 512-char column.
    wide = argon2.PasswordHasher(
        time_cost=1, memory_cost=1024, parallelism=1, hash_len=64, salt_len=64
    )
    assert len(wide.hash("x" * 4096)) < User.password_hash.type.length


@pytest.fixture
def policy() -> PasswordPolicy:
    return PasswordPolicy(min_length=8, max_length=1024)


def test_minimum_length_is_eight(policy: PasswordPolicy) -> None:
    assert policy.problems("seven77")
    assert not policy.problems("eight888 plus")


def test_long_passwords_are_accepted(policy: PasswordPolicy) -> None:
    assert not policy.problems("a" * 60 + "unguessable" + "b" * 60)
    assert len("a" * 60 + "unguessable" + "b" * 60) >= 128


def test_no_composition_rules(policy: PasswordPolicy) -> None:
    assert not policy.problems("only lowercase letters here")


@pytest.mark.parametrize("common", ["password", "12345678", "iloveyou", "PASSWORD1", "qwertyuiop"])
def test_common_passwords_are_refused(policy: PasswordPolicy, common: str) -> None:
    assert policy.problems(common) == [
        "This password is too common and easy to guess; choose another."
    ]


@pytest.mark.parametrize(
    "personal", ["alice-the-great", "ALICE-THE-GREAT", "alice@example.org", "Alice@Example.org"]
)
def test_username_and_email_are_refused(policy: PasswordPolicy, personal: str) -> None:
    assert policy.problems(personal, "alice-the-great", "alice@example.org")

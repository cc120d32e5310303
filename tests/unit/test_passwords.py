"""Argon2id hashing and the password policy."""

from __future__ import annotations

import argon2
import pytest

from forumapp.users.models import User
from forumapp.users.passwords import Argon2Hasher, PasswordPolicy


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

"""The one place that wires the members' own services from the app's configuration:
password hashing, the password rules and the CLI's admin accounts.

The auth package builds its services on these; nothing here depends on auth.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from forumapp.users.passwords import Argon2Hasher, PasswordPolicy
from forumapp.users.services import AdminAccounts

_HASHER_KEY = "forumapp.password_hasher"
#: How many stored hashes the hasher looks at to learn the parameters most accounts have.
HASH_SAMPLE_SIZE = 200


def password_hash_sample() -> list[str]:
    """Stored password hashes of up to ``HASH_SAMPLE_SIZE`` accounts picked at random."""
    return list(
        db.session.scalars(
            select(User.password_hash).order_by(func.random()).limit(HASH_SAMPLE_SIZE)
        )
    )


def password_hasher() -> Argon2Hasher:
    """The app's hasher, built once so its timing-equalizing dummy hashes are computed once;
    they take the parameters most of the stored hashes have."""
    hasher = current_app.extensions.get(_HASHER_KEY)
    if hasher is None:
        config = current_app.config
        hasher = current_app.extensions[_HASHER_KEY] = Argon2Hasher(
            config["ARGON2_TIME_COST"],
            config["ARGON2_MEMORY_COST"],
            config["ARGON2_PARALLELISM"],
            stored_sample=password_hash_sample,
        )
    assert isinstance(hasher, Argon2Hasher)
    return hasher


def password_policy() -> PasswordPolicy:
    """The password rules of the current app."""
    return PasswordPolicy(
        current_app.config["PASSWORD_MIN_LENGTH"], current_app.config["PASSWORD_MAX_LENGTH"]
    )


def admin_accounts() -> AdminAccounts:
    """The admin account service over the app's database."""
    return AdminAccounts(db.session, password_hasher(), password_policy(), utcnow)

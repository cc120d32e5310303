"""Finding the member row an account service works on."""

from __future__ import annotations

from forumapp.forum.errors import NotFound
from forumapp.persistence import DbSession
from forumapp.users.models import User


def member(session: DbSession, user_id: int) -> User:
    """The member with ``user_id``; :class:`NotFound` when the account is gone."""
    # The member of the request is already in the session: no query.
    user = session.get(User, user_id)
    if user is None:
        raise NotFound
    return user

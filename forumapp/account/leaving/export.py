"""``DataExporter``: everything the forum keeps about a member, as one JSON document.

The document is produced in pieces, so that a member with a hundred thousand posts costs
the server a batch of rows at a time, not the whole archive in memory; and it takes the
same eight queries however much the member wrote (rows arrive ``yield_per`` at a time).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.orm import undefer

from forumapp.api.models import ApiToken
from forumapp.auth.models import AuthSession
from forumapp.auth.passkeys.models import Passkey
from forumapp.forum.errors import NotFound
from forumapp.forum.models import Forum, Post, Topic
from forumapp.messages.authorship import conversations_of, messages_of
from forumapp.persistence import DbSession
from forumapp.users.models import User

#: Names the document's layout, so that scripts reading exports can tell versions apart.
FORMAT = "forumapp-export/1"

#: Columns of the ``users`` row never exported: the credentials themselves, and lookup
#: copies of fields the export already holds. Matched by name, so that a column another
#: feature adds (a TOTP secret, recovery codes) stays out without anyone listing it here.
_WITHHELD = re.compile(r"hash|secret|token|key|salt|code|otp|uniquifier|password")


#: A query of any columns.
Query: TypeAlias = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Export:
    """A member's data: the file name to offer and the JSON text, piece by piece."""

    filename: str
    chunks: Iterator[str]


class DataExporter:
    """Builds a member's export: their profile, topics, posts, API tokens (names and
    dates only, never secrets or their hashes), login sessions, and the private messages
    they wrote with the conversations they take part in."""

    def __init__(
        self, session: DbSession, clock: Callable[[], datetime], batch_size: int = 500
    ) -> None:
        self._session = session
        self._clock = clock
        self._batch_size = batch_size

    def export(self, member_id: int) -> Export:
        """The member's export; :class:`NotFound` for an unknown id.

        The profile is read now (it names the file); the rest is read while the caller
        consumes ``chunks``, in the same session, which must stay open until then.
        """
        # Every column in one query, deferred ones (the long profile texts) included, and
        # read now: the member's row may be the one the request loaded, detached by the
        # time the body is streamed.
        user = self._session.scalars(
            select(User)
            .where(User.id == member_id)
            .options(undefer("*"))
            .execution_options(populate_existing=True)
        ).one_or_none()
        if user is None:
            raise NotFound
        now = self._clock()
        filename = f"forumapp-{user.username}-{now:%Y-%m-%d}.json"
        return Export(filename, self._document(user.id, profile_of(user), now))

    def _document(self, user_id: int, profile: dict[str, Any], now: datetime) -> Iterator[str]:
        header = {"format": FORMAT, "exported_at": now, "profile": profile}
        yield _dumps(header)[:-1]  # left open: the lists follow
        sections: dict[str, Iterable[Mapping[str, Any]]] = {
            "topics": self._rows(_topics_of(user_id)),
            "posts": self._rows(_posts_of(user_id)),
            "api_tokens": self._rows(_tokens_of(user_id)),
            "sessions": self._rows(_sessions_of(user_id)),
            "passkeys": self._rows(_passkeys_of(user_id)),
            "conversations": self._rows(conversations_of(user_id)),
            "messages": self._rows(messages_of(user_id)),
        }
        for name, rows in sections.items():
            yield f", {json.dumps(name)}: ["
            for index, row in enumerate(rows):
                yield ("," if index else "") + "\n  " + _dumps(row)
            yield "\n]"
        yield "}\n"

    def _rows(self, query: Query) -> Iterator[Mapping[str, Any]]:
        result = self._session.execute(query.execution_options(yield_per=self._batch_size))
        for row in result.mappings():
            yield dict(row)


def profile_of(user: User) -> dict[str, Any]:
    """Every column of the member's row except credentials, and their group's name."""
    profile = {
        column.key: getattr(user, column.key)
        for column in User.__table__.columns
        if not _WITHHELD.search(column.key) and not column.key.endswith("_id")
    }
    profile["group"] = user.group.name
    return profile


def _topics_of(user_id: int) -> Query:
    return (
        select(
            Topic.id,
            Topic.title,
            Topic.forum_id,
            Forum.title.label("forum"),
            Topic.created_at,
            Topic.deleted,
        )
        .join(Forum, Forum.id == Topic.forum_id)
        .where(Topic.user_id == user_id)
        .order_by(Topic.id)
    )


def _posts_of(user_id: int) -> Query:
    return (
        select(
            Post.id,
            Post.topic_id,
            Topic.title.label("topic"),
            Topic.forum_id,
            Forum.title.label("forum"),
            Post.number,
            Post.created_at,
            Post.edited_at,
            Post.deleted,
            Post.hidden,
            Post.content.label("markdown"),
        )
        .join(Topic, Topic.id == Post.topic_id)
        .join(Forum, Forum.id == Topic.forum_id)
        .where(Post.user_id == user_id)
        .order_by(Post.id)
    )


def _tokens_of(user_id: int) -> Query:
    return (
        select(ApiToken.name, ApiToken.scope, ApiToken.created_at, ApiToken.last_used_at)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.id)
    )


def _passkeys_of(user_id: int) -> Query:
    # Names and dates: the public key and credential id are the authenticator's business.
    return (
        select(Passkey.name, Passkey.created_at, Passkey.last_used_at)
        .where(Passkey.user_id == user_id)
        .order_by(Passkey.id)
    )


def _sessions_of(user_id: int) -> Query:
    return (
        select(
            AuthSession.created_at,
            AuthSession.expires_at,
            AuthSession.ip_address,
            AuthSession.user_agent,
        )
        .where(AuthSession.user_id == user_id)
        .order_by(AuthSession.id)
    )


def _dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), default=_jsonable, ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)

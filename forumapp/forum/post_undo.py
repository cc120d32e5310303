"""Undoing the deletion of a single post, for whoever deleted it, for a few minutes.

Deleting a reply offers an "Undo" in the message area (see :mod:`forumapp.forum.undo`).
The form carries a token signed with the app's secret key, naming the post, who deleted
it and when. It restores the post only for that person, while they could still delete it,
within :data:`UNDO_MINUTES`, and once: after a restore (or another deletion) the moment
of deletion no longer matches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from forumapp.forum.counters import Counters
from forumapp.forum.errors import Forbidden, InvalidInput
from forumapp.forum.lookups import visible_post
from forumapp.forum.models import Post
from forumapp.forum.permissions import Actor
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession, atomic

Clock = Callable[[], datetime]
#: How long the Undo of a deleted post keeps working.
UNDO_MINUTES = 10

# Plain text, as in the other forum services: the layer test keeps Flask (and so
# Flask-Babel) out of them until the translation pass marks the domain messages.
FORGED = _l("This undo link is not yours or not valid.")
EXPIRED = _l("Too late to undo: ask a moderator to restore the post.")
UNDONE = _l("This post is not deleted any more.")


def _moment(post: Post) -> int:
    """When ``post`` was deleted, in microseconds (what a token names)."""
    assert post.deleted_at is not None
    return round(post.deleted_at.timestamp() * 1_000_000)


class PostUndo:
    """Issues and honours the Undo of a post deletion."""

    def __init__(self, session: DbSession, clock: Clock, secret_key: str | bytes) -> None:
        self._session = session
        self._clock = clock
        self._counters = Counters(session)
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key

        class ClockedSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock().timestamp())

        self._tokens = URLSafeTimedSerializer(
            secret, salt="forumapp.post-undo", signer=ClockedSigner
        )

    def offer(self, actor: Actor, post: Post) -> str | None:
        """The token of the Undo of ``post``, which ``actor`` just deleted; ``None`` when
        there is nothing to undo (a first post deletes its topic instead)."""
        if actor.user_id is None or not post.deleted or post.number == 1:
            return None
        return self._tokens.dumps([post.id, actor.user_id, _moment(post)])

    def undo(self, actor: Actor, post_id: int, token: str) -> Post:
        """Restore post ``post_id`` with the ``token`` its deletion offered ``actor``."""
        try:
            claim: Any = self._tokens.loads(token, max_age=UNDO_MINUTES * 60)
        except SignatureExpired as exc:
            raise Forbidden(EXPIRED) from exc
        except (BadSignature, UnicodeError, ValueError) as exc:
            raise Forbidden(FORGED) from exc
        if not (isinstance(claim, list) and claim[:2] == [post_id, actor.user_id]):
            raise Forbidden(FORGED)
        post, topic, forum = visible_post(self._session, actor, post_id)
        if not actor.may_take_back(forum, topic, post):
            raise Forbidden(EXPIRED)
        if not post.deleted or claim[2:] != [_moment(post)]:
            raise InvalidInput("token", UNDONE)
        with atomic(self._session):
            post.deleted, post.deleted_at, post.deleted_by = False, None, None
            self._counters.recount_topic(topic)
            self._counters.recount_forum(forum)
            if post.user_id is not None:
                self._counters.recount_users({post.user_id})
        return post

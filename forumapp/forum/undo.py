"""The "Undo" offered in the message area after a moderator deletes topics, or someone
deletes a post.

The offer is kept in the session until the next page shows it, as flashed messages are:
that page renders a POST form (with its CSRF token) that restores exactly the topics the
deletion changed — not the ones that were deleted already — or the one post, with the
token :class:`forumapp.forum.post_undo.PostUndo` signed for whoever deleted it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import session

from forumapp.forum.ids import is_id
from forumapp.forum.moderation import TopicsChanged

#: Session key of the pending offer.
UNDO_KEY = "moderation_undo"


@dataclass(frozen=True)
class UndoOffer:
    """Topics of one forum that an Undo button would restore."""

    forum_id: int
    topic_ids: tuple[int, ...]


@dataclass(frozen=True)
class PostUndoOffer:
    """The deleted post an Undo button would restore, and the token that allows it."""

    post_id: int
    token: str


def offer_undo(forum_id: int, changed: TopicsChanged) -> None:
    """Offer to restore what a deletion changed, on the next page shown."""
    if changed.topic_ids:
        session[UNDO_KEY] = {"forum_id": forum_id, "topic_ids": list(changed.topic_ids)}


def offer_post_undo(post_id: int, token: str | None) -> None:
    """Offer to restore a deleted post on the next page shown (when there is a token)."""
    if token is not None:
        session[UNDO_KEY] = {"post_id": post_id, "token": token}


def take_undo_offer() -> UndoOffer | PostUndoOffer | None:
    """The pending offer, once (the session forgets it); ``None`` without one."""
    stored: Any = session.pop(UNDO_KEY, None)
    if not isinstance(stored, dict):
        return None
    post_id, token = stored.get("post_id"), stored.get("token")
    if isinstance(post_id, int) and is_id(post_id) and isinstance(token, str):
        return PostUndoOffer(post_id, token)
    forum_id, topic_ids = stored.get("forum_id"), stored.get("topic_ids")
    if not (isinstance(forum_id, int) and is_id(forum_id)):
        return None
    if not (isinstance(topic_ids, list) and all(map(is_id, topic_ids))):
        return None
    return UndoOffer(forum_id, tuple(topic_ids))

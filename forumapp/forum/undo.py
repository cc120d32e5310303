"""The "Undo" offered in the message area after a moderator deletes topics.

The offer is kept in the session until the next page shows it, as flashed messages are:
that page renders a POST form (with its CSRF token) that restores exactly the topics the
deletion changed — not the ones that were deleted already.
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


def offer_undo(forum_id: int, changed: TopicsChanged) -> None:
    """Offer to restore what a deletion changed, on the next page shown."""
    if changed.topic_ids:
        session[UNDO_KEY] = {"forum_id": forum_id, "topic_ids": list(changed.topic_ids)}


def take_undo_offer() -> UndoOffer | None:
    """The pending offer, once (the session forgets it); ``None`` without one."""
    stored: Any = session.pop(UNDO_KEY, None)
    if not isinstance(stored, dict):
        return None
    forum_id, topic_ids = stored.get("forum_id"), stored.get("topic_ids")
    if not (isinstance(forum_id, int) and is_id(forum_id)):
        return None
    if not (isinstance(topic_ids, list) and all(map(is_id, topic_ids))):
        return None
    return UndoOffer(forum_id, tuple(topic_ids))

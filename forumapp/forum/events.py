"""What the forum's services tell the rest of the application once a change is committed.

The posting and moderation services receive an implementation of :class:`ForumEvents`
as a collaborator (forumapp's notifications, a host app's own, or none at all) and call
it inside their unit of work, with ids only. An implementation acts once that commits and
never when it rolls back: it enqueues a job in the same unit of work (forumapp's), or
waits for the commit; whatever follows reads the committed rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from forumapp.forum.moderation import ModerationEvent


class ForumEvents(Protocol):
    """Hears of the forum's changes inside their unit of work, and acts once it commits."""

    def post_saved(self, post_id: int) -> None:
        """A new post was written: a reply, or the first post of a new topic."""

    def moderated(self, events: Sequence[ModerationEvent]) -> None:
        """Moderation actions were taken (one per topic or post changed)."""

    def report_handled(self, report_id: int) -> None:
        """A moderator handled a member's report."""

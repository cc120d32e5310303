"""Choosing how closely to follow a topic or a forum, and which topics to watch by
oneself."""

from __future__ import annotations

from dataclasses import dataclass

from forumapp.forum.lookups import visible_forum, visible_topic
from forumapp.forum.permissions import Actor
from forumapp.notifications.kinds import Level
from forumapp.notifications.models import ForumWatch, TopicWatch, WatchPreference
from forumapp.persistence import DbSession, atomic, upsert


@dataclass(frozen=True)
class AutoWatch:
    """Which topics a member starts watching without asking."""

    #: Topics they start (default: yes).
    created: bool = True
    #: Topics they reply to (default: no, those are tracked).
    replied: bool = False


class WatchService:
    """Sets a member's level for topics and forums they can see, and their auto-watch
    preferences."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def watch_topic(self, actor: Actor, topic_id: int, level: Level) -> int:
        """Follow a topic at ``level``; returns the topic's id (:class:`NotFound` for a
        topic the actor cannot see)."""
        topic, _ = visible_topic(self._session, actor, topic_id)
        self._set(TopicWatch, "topic_id", actor, topic.id, level)
        return topic.id

    def watch_forum(self, actor: Actor, forum_id: int, level: Level) -> int:
        """Follow a forum at ``level``; returns the forum's id."""
        forum = visible_forum(self._session, actor, forum_id)
        self._set(ForumWatch, "forum_id", actor, forum.id, level)
        return forum.id

    def auto_watch_of(self, user_id: int) -> AutoWatch:
        """The member's auto-watch preferences."""
        row = self._session.get(WatchPreference, user_id)
        return AutoWatch(row.watch_created, row.watch_replied) if row else AutoWatch()

    def save_auto_watch(self, user_id: int, choice: AutoWatch) -> None:
        """Store the member's auto-watch preferences (one statement, in its transaction)."""
        with atomic(self._session):
            self.stage_auto_watch(user_id, choice)

    def stage_auto_watch(self, user_id: int, choice: AutoWatch) -> None:
        """Write the preferences in the caller's transaction, which commits them."""
        upsert(
            self._session,
            WatchPreference,
            {"user_id": user_id, "watch_created": choice.created, "watch_replied": choice.replied},
            conflict=["user_id"],
            update=lambda new: {
                "watch_created": new.watch_created,
                "watch_replied": new.watch_replied,
            },
        )

    def _set(
        self,
        model: type[TopicWatch] | type[ForumWatch],
        key: str,
        actor: Actor,
        target_id: int,
        level: Level,
    ) -> None:
        if actor.user_id is None:
            raise ValueError("guests watch nothing")
        with atomic(self._session):
            upsert(
                self._session,
                model,
                {"user_id": actor.user_id, key: target_id, "level": level.value},
                conflict=["user_id", key],
                update=lambda new: {"level": new.level},
            )

"""What happened in the forum, told to whoever listens: the ``Events`` port.

Services that something worth telling happens in take an :class:`Events` in their
constructor (their factory passes the app's, :data:`NO_EVENTS` elsewhere) and tell it
after their transaction committed, so a listener never hears of work that was rolled back.
The plugins package implements the port over its hooks
(:class:`forumapp.plugins.events.PluginEvents`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import current_app


@dataclass(frozen=True)
class MemberRegistered:
    """A new account was created."""

    user_id: int
    username: str
    activated: bool


@dataclass(frozen=True)
class TopicCreated:
    """A topic was started (its first post is saved too)."""

    topic_id: int
    forum_id: int
    title: str
    user_id: int | None
    author_name: str


@dataclass(frozen=True)
class PostSaved:
    """A post was written or edited."""

    post_id: int
    topic_id: int
    user_id: int | None
    author_name: str
    content: str
    edited: bool


@dataclass(frozen=True)
class MemberBanned:
    """A member was banned, for good (``until`` is ``None``) or until a date."""

    user_id: int
    username: str
    until: datetime | None
    by: str


class Events(Protocol):
    """Where services report what happened; each method returns once every listener ran."""

    def user_registered(self, event: MemberRegistered) -> None:
        """A new account was created."""

    def topic_created(self, event: TopicCreated) -> None:
        """A topic was started."""

    def post_saved(self, event: PostSaved) -> None:
        """A post was written or edited."""

    def member_banned(self, event: MemberBanned) -> None:
        """A member was banned."""


class NoEvents:
    """Tells nobody: for services used outside a web app (scripts, the demo, tests)."""

    def user_registered(self, event: MemberRegistered) -> None:
        """Nobody listens."""

    def topic_created(self, event: TopicCreated) -> None:
        """Nobody listens."""

    def post_saved(self, event: PostSaved) -> None:
        """Nobody listens."""

    def member_banned(self, event: MemberBanned) -> None:
        """Nobody listens."""


#: The listener-less :class:`Events`.
NO_EVENTS: Events = NoEvents()


#: ``app.extensions`` key of the app's :class:`Events` (the plugins' when configured).
EVENTS_KEY = "forumapp.events"


def app_events() -> Events:
    """The current app's :class:`Events`; :data:`NO_EVENTS` in an app that set none
    (a host app mounting forumapp's blueprints without its plugins)."""
    events: Events = current_app.extensions.get(EVENTS_KEY, NO_EVENTS)
    return events

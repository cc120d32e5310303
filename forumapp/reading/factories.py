"""The one place that wires the reading pages' services from the app's configuration.

:func:`default_factories` bundles them for :func:`forumapp.reading.create_reading_blueprint`;
pass other ones to mount the pages over services of your own (or fakes, in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_login import current_user

from forumapp.extensions import db
from forumapp.forum.actor import current_actor, current_reader
from forumapp.forum.permissions import Actor
from forumapp.forum.reading import Reader
from forumapp.reading.listings import TopicListings
from forumapp.reading.members import MemberDirectory
from forumapp.sqltypes import utcnow


@dataclass(frozen=True)
class ReadingFactories:
    """What the reading pages are built with: one factory per service, and who is asking."""

    #: The actor of the request (what they may see).
    actor: Callable[[], Actor]
    #: The unread-tracking identity of the request's member; ``None`` for guests.
    reader: Callable[[], Reader | None]
    listings: Callable[[], TopicListings]
    members: Callable[[], MemberDirectory]
    #: Where ``/new`` starts for who is asking (see :func:`current_new_since`).
    new_since: Callable[[], datetime]


def current_new_since() -> datetime:
    """Where ``/new`` starts: for a member, the end of their previous visit; for guests,
    and members without one on record, ``NEW_TOPICS_DAYS`` ago. Never further back than
    the unread window (``UNREAD_WINDOW_DAYS``)."""
    config, now = current_app.config, utcnow()
    earliest = now - timedelta(days=config["UNREAD_WINDOW_DAYS"])
    since = now - timedelta(days=config["NEW_TOPICS_DAYS"])
    if current_user.is_authenticated:
        # A host app's user model may have no such columns.
        last_seen = getattr(current_user, "last_seen", None)
        last_visit = getattr(current_user, "last_visit_at", None)
        online_since = now - timedelta(minutes=config["ONLINE_WINDOW_MINUTES"])
        # Seen within the window: this visit goes on, and the previous one ended at
        # last_visit_at. Otherwise this visit has just begun: the previous one ended when
        # the member was last seen (the next flush of who's online records it so).
        ended = last_visit if last_seen is not None and last_seen > online_since else last_seen
        since = ended or since
    return max(since, earliest)


def default_factories() -> ReadingFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return ReadingFactories(
        actor=current_actor,
        reader=current_reader,
        listings=lambda: TopicListings(db.session),
        members=lambda: MemberDirectory(db.session),
        new_since=current_new_since,
    )

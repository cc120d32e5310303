"""The one place that wires the forum's services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service (or, for
:attr:`ForumFactories.actor` and :attr:`ForumFactories.reader`, who is asking).
:func:`default_factories` bundles them for :func:`forumapp.forum.create_forum_blueprint`;
pass other ones to mount the views over services of your own (or fakes, in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from forumapp import settings
from forumapp.events import app_events
from forumapp.extensions import db
from forumapp.forum.actor import current_actor, current_posts_per_page, current_reader
from forumapp.forum.community import CommunityStats
from forumapp.forum.guests import REDIS_URI_SCHEMES, GuestCounter, MemoryGuestCounter
from forumapp.forum.limits import posts_per_member, previews_per_member, reports_per_member
from forumapp.forum.markdown import render_markdown
from forumapp.forum.moderation import ModerationService
from forumapp.forum.permissions import Actor
from forumapp.forum.post_undo import PostUndo
from forumapp.forum.posting import PostingService
from forumapp.forum.presence import Presence, WhoIsOnline
from forumapp.forum.reading import ForumReader, Reader
from forumapp.forum.search import SearchService
from forumapp.forum.tracking import ReadTracker, TopicVisits, ViewCounter
from forumapp.sqltypes import utcnow

#: ``app.extensions`` key of the function that records moderation actions, if any.
MODERATION_OBSERVER = "forumapp.moderation_observer"
#: ``app.extensions`` key of the app's Markdown renderer (with its plugins' rules), if any.
MARKDOWN_RENDERER = "forumapp.markdown_renderer"
#: ``app.extensions`` key of the :class:`~forumapp.forum.events.ForumEvents` the posting
#: and moderation services tell of committed changes, if any (set by the notifications).
FORUM_EVENTS = "forumapp.forum_events"
#: ``app.extensions`` key of the process's buffered topic view counter.
VIEW_COUNTER_KEY = "forumapp.view_counter"
#: ``app.extensions`` key of the worker's record of who is online.
PRESENCE_KEY = "forumapp.presence"
#: ``app.extensions`` key of a host app's own :class:`GuestCounter`, if any.
GUEST_COUNTER_KEY = "forumapp.guest_counter"


def guest_counter_factory(window: timedelta, flush_every: timedelta) -> GuestCounter:
    """Where guests are counted: the app's own counter if it set one, Redis when the rate
    limiter's storage is a Redis server (every worker then counts every guest), else
    this worker's memory."""
    own = current_app.extensions.get(GUEST_COUNTER_KEY)
    if own is not None:
        return own  # type: ignore[no-any-return]
    config = current_app.config
    uri = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if not uri.startswith(tuple(REDIS_URI_SCHEMES)):
        return MemoryGuestCounter(utcnow, window)
    # Imported only then: Redis is an optional dependency (forumapp[redis]).
    from forumapp.forum import guests_redis

    timeout = float(config.get("RATELIMIT_STORAGE_TIMEOUT", settings.RATELIMIT_STORAGE_TIMEOUT))
    return guests_redis.RedisGuestCounter(
        guests_redis.redis_client(uri, timeout),
        guests_redis.address_key(current_app.secret_key or ""),
        utcnow,
        window,
        flush_every,
    )


def presence_factory() -> Presence:
    """The worker's record of who was seen lately (one per app, built on first use)."""
    presence = current_app.extensions.get(PRESENCE_KEY)
    if presence is None:
        # Every request of the app is noted, a host app's own pages too: a host that
        # mounts the forum without forumapp's settings gets their defaults.
        config = current_app.config
        window = config.get("ONLINE_WINDOW_MINUTES", settings.ONLINE_WINDOW_MINUTES)
        flush = config.get("PRESENCE_FLUSH_SECONDS", settings.PRESENCE_FLUSH_SECONDS)
        window_span, flush_every = timedelta(minutes=window), timedelta(seconds=flush)
        presence = current_app.extensions[PRESENCE_KEY] = Presence(
            utcnow,
            window_span,
            flush_every,
            guests=guest_counter_factory(window_span, flush_every),
        )
    assert isinstance(presence, Presence)
    return presence


def who_is_online_factory() -> WhoIsOnline:
    """The "who's online" reader over the app's database and the worker's memory."""
    return WhoIsOnline(db.session, presence_factory(), utcnow)


def post_undo_factory() -> PostUndo:
    """The Undo of post deletions over the app's database, signed with its secret key."""
    return PostUndo(db.session, utcnow, current_app.secret_key or "")


@dataclass(frozen=True)
class ForumFactories:
    """What the forum views are built with: one factory per service, and who is asking."""

    #: The actor of the request (permissions: what they may see and do).
    actor: Callable[[], Actor]
    #: The unread-tracking identity of the request's member; ``None`` for guests.
    reader: Callable[[], Reader | None]
    forum_reader: Callable[[], ForumReader]
    read_tracker: Callable[[], ReadTracker]
    topic_visits: Callable[[], TopicVisits]
    posting_service: Callable[[], PostingService]
    moderation_service: Callable[[], ModerationService]
    search_service: Callable[[], SearchService]
    community_stats: Callable[[], CommunityStats]
    #: Posts per topic page for who is asking (their preference, or the site's).
    posts_per_page: Callable[[], int] = current_posts_per_page
    #: The index's "who's online" box.
    who_is_online: Callable[[], WhoIsOnline] = who_is_online_factory
    #: The Undo of a post deletion.
    post_undo: Callable[[], PostUndo] = post_undo_factory


def forum_reader_factory() -> ForumReader:
    """The forum read service over the app's database."""
    return ForumReader(db.session, utcnow)


def read_tracker_factory() -> ReadTracker:
    """The reading-position writer over the app's database."""
    return ReadTracker(db.session, utcnow)


def view_counter_factory() -> ViewCounter:
    """The process's buffered topic view counter (one per app, built on first use)."""
    counter = current_app.extensions.get(VIEW_COUNTER_KEY)
    if counter is None:
        config = current_app.config
        counter = current_app.extensions[VIEW_COUNTER_KEY] = ViewCounter(
            config["VIEW_COUNT_FLUSH_EVERY"], config["VIEW_COUNT_FLUSH_SECONDS"]
        )
    assert isinstance(counter, ViewCounter)
    return counter


def topic_visits_factory() -> TopicVisits:
    """What a topic page records (views, reading position) over the app's database."""
    return TopicVisits(
        db.session,
        view_counter_factory(),
        read_tracker_factory(),
        current_app.config["PAGE_WRITE_WAIT_MS"],
    )


def posting_service_factory() -> PostingService:
    """The posting service over the app's database, with the members' flood control."""
    return PostingService(
        db.session,
        utcnow,
        posts_per_member,
        previews_per_member,
        render=current_app.extensions.get(MARKDOWN_RENDERER, render_markdown),
        events=app_events(),
        forum_events=current_app.extensions.get(FORUM_EVENTS),
    )


def moderation_service_factory() -> ModerationService:
    """The moderation service over the app's database, reporting to the app's observer and
    its forum events."""
    extensions = current_app.extensions
    return ModerationService(
        db.session,
        utcnow,
        extensions.get(MODERATION_OBSERVER),
        reports=reports_per_member,
        forum_events=extensions.get(FORUM_EVENTS),
    )


def search_service_factory() -> SearchService:
    """The search service over the app's database."""
    # At least one, or every search would say "0+ results".
    return SearchService(db.session, max(current_app.config["SEARCH_RANKED_MATCHES"], 1))


def community_stats_factory() -> CommunityStats:
    """The member figures of the index over the app's database."""
    return CommunityStats(db.session)


def default_factories() -> ForumFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return ForumFactories(
        actor=current_actor,
        reader=current_reader,
        forum_reader=forum_reader_factory,
        read_tracker=read_tracker_factory,
        topic_visits=topic_visits_factory,
        posting_service=posting_service_factory,
        moderation_service=moderation_service_factory,
        search_service=search_service_factory,
        community_stats=community_stats_factory,
    )

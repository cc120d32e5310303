"""Loaders of the read-only forum pages, each used by a :class:`forumapp.views.PageView`.

A loader turns URL values and query arguments into a template context through one
service call, and turns "not there for you" into a 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user

from forumapp.caching import Snapshot
from forumapp.extensions import db
from forumapp.forum.actor import current_actor
from forumapp.forum.errors import NotFound
from forumapp.forum.forms import PostForm
from forumapp.forum.reading import ForumReader, Reader
from forumapp.forum.tracking import ReadTracker, ViewCounter
from forumapp.home.services import CommunitySummary, community_stats_factory
from forumapp.persistence import best_effort
from forumapp.sqltypes import utcnow
from forumapp.users.models import User, username_key

VIEW_COUNTER_KEY = "forumapp.view_counter"
#: Everyone sees the same member figures on the index: one copy per worker, read again
#: after a member joins or leaves (see forumapp.caching for how soon).
COMMUNITY: Snapshot[CommunitySummary] = Snapshot(
    "community summary", frozenset({User.__tablename__})
)


def reader_service() -> ForumReader:
    """The forum read service over the app's database."""
    return ForumReader(db.session, utcnow)


def current_reader() -> Reader | None:
    """The unread-tracking identity of a logged-in member; ``None`` for guests."""
    if not current_user.is_authenticated:
        return None
    window_start = utcnow() - timedelta(days=current_app.config["UNREAD_WINDOW_DAYS"])
    moments = [current_user.date_joined, current_user.all_read_at, window_start]
    return Reader(current_user.id, max(moment for moment in moments if moment is not None))


def page_argument() -> int:
    """``?page=N`` as a positive number; anything else is page 1."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


@contextmanager
def not_found_as_404() -> Iterator[None]:
    """Answer 404 for things that do not exist or that the actor may not see."""
    try:
        yield
    except NotFound:
        abort(404)


def view_counter() -> ViewCounter:
    """The process's buffered topic view counter."""
    counter = current_app.extensions.get(VIEW_COUNTER_KEY)
    if counter is None:
        config = current_app.config
        counter = current_app.extensions[VIEW_COUNTER_KEY] = ViewCounter(
            config["VIEW_COUNT_FLUSH_EVERY"], config["VIEW_COUNT_FLUSH_SECONDS"]
        )
    assert isinstance(counter, ViewCounter)
    return counter


def index_page() -> dict[str, Any]:
    """Categories, forums, totals and the newest members."""
    return {
        "index": reader_service().index(current_actor(), current_reader()),
        "community": COMMUNITY.get(lambda: community_stats_factory().summary()),
    }


def category_page(category_id: int, slug: str | None = None) -> dict[str, Any]:  # noqa: ARG001
    """One category with its forums."""
    with not_found_as_404():
        index = reader_service().index(current_actor(), current_reader(), category_id)
    return {"index": index, "category": index.sections[0].category}


def forum_page(forum_id: int, slug: str | None = None) -> dict[str, Any]:  # noqa: ARG001
    """One page of a forum's topics."""
    with not_found_as_404():
        view = reader_service().forum_page(
            current_actor(),
            current_reader(),
            forum_id,
            page_argument(),
            current_app.config["TOPICS_PER_PAGE"],
        )
    return {"view": view, "actor": current_actor()}


def topic_page(topic_id: int, slug: str | None = None) -> dict[str, Any]:  # noqa: ARG001
    """One page of a topic's posts; records views and reading progress."""
    actor = current_actor()
    with not_found_as_404():
        view = reader_service().topic_page(
            actor, topic_id, page_argument(), current_app.config["POSTS_PER_PAGE"]
        )
    # Reading the page must not wait for writers, nor fail because of them: these writes
    # give up after PAGE_WRITE_WAIT_MS (the views stay counted in memory).
    wait_ms = current_app.config["PAGE_WRITE_WAIT_MS"]
    counter = view_counter()
    counter.seen(topic_id)
    if counter.due():
        with best_effort(db.session, wait_ms, "writing view counts"):
            counter.flush(db.session)
    if actor.user_id is not None and view.posts:
        with best_effort(db.session, wait_ms, "recording the reading position"):
            ReadTracker(db.session, utcnow).topic_seen(
                actor.user_id, topic_id, view.posts[-1].post.number
            )
    can_reply = actor.can_reply(view.forum, view.topic)
    return {
        "view": view,
        "actor": actor,
        "reply_form": PostForm() if can_reply else None,
    }


def profile_page(username: str) -> dict[str, Any]:
    """A member's profile."""
    with not_found_as_404():
        profile = reader_service().profile(current_actor(), username_key(username))
    return {"profile": profile}


FEED_LENGTH = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def forum_feed(forum_id: int) -> dict[str, Any]:
    """The newest topics of a forum, as an Atom feed."""
    with not_found_as_404():
        forum, topics = reader_service().recent_topics(current_actor(), forum_id, FEED_LENGTH)
    updated = topics[0].created_at if topics else forum.last_post_at or EPOCH
    return {"forum": forum, "topics": topics, "updated": updated}


def topic_feed(topic_id: int) -> dict[str, Any]:
    """The newest posts of a topic, as an Atom feed."""
    with not_found_as_404():
        topic, posts = reader_service().recent_posts(current_actor(), topic_id, FEED_LENGTH)
    updated = max((post.edited_at or post.created_at for post in posts), default=topic.created_at)
    return {"topic": topic, "posts": posts, "updated": updated}

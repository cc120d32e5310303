"""Loaders of the read-only forum pages, each used by a :class:`forumapp.views.PageView`.

A loader turns URL values and query arguments into a template context through one
service call, and turns "not there for you" into a 404. :class:`ForumPages` holds the
factories the blueprint was built with; its bound methods are the loaders handed to
``PageView.as_view(...)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, request

from forumapp.caching import Snapshot
from forumapp.forum.community import CommunitySummary
from forumapp.forum.errors import NotFound
from forumapp.forum.factories import ForumFactories
from forumapp.forum.forms import PostForm, SearchForm
from forumapp.users.models import User, username_key

#: Everyone sees the same member figures on the index: one copy per worker, read again
#: after a member joins or leaves (see forumapp.caching for how soon).
COMMUNITY: Snapshot[CommunitySummary] = Snapshot(
    "community summary", frozenset({User.__tablename__})
)
FEED_LENGTH = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


class ForumPages:
    """The loaders of the forum's read-only pages, over injected service factories."""

    def __init__(self, factories: ForumFactories) -> None:
        self.f = factories

    def index(self) -> dict[str, Any]:
        """Categories, forums, totals and the newest members."""
        return {
            "index": self.f.forum_reader().index(self.f.actor(), self.f.reader()),
            "community": COMMUNITY.get(lambda: self.f.community_stats().summary()),
        }

    def category(self, category_id: int, slug: str | None = None) -> dict[str, Any]:
        """One category with its forums."""
        with not_found_as_404():
            index = self.f.forum_reader().index(self.f.actor(), self.f.reader(), category_id)
        return {"index": index, "category": index.sections[0].category}

    def forum(self, forum_id: int, slug: str | None = None) -> dict[str, Any]:
        """One page of a forum's topics."""
        actor = self.f.actor()
        with not_found_as_404():
            view = self.f.forum_reader().forum_page(
                actor,
                self.f.reader(),
                forum_id,
                page_argument(),
                current_app.config["TOPICS_PER_PAGE"],
            )
        return {"view": view, "actor": actor}

    def topic(self, topic_id: int, slug: str | None = None) -> dict[str, Any]:
        """One page of a topic's posts; records views and reading progress."""
        actor = self.f.actor()
        with not_found_as_404():
            view = self.f.forum_reader().topic_page(
                actor, topic_id, page_argument(), self.f.posts_per_page()
            )
        last_number = view.posts[-1].post.number if view.posts else None
        self.f.topic_visits().record(topic_id, actor.user_id, last_number)
        can_reply = actor.can_reply(view.forum, view.topic)
        return {
            "view": view,
            "actor": actor,
            "reply_form": PostForm() if can_reply else None,
            "signatures": current_app.config["SIGNATURES_ENABLED"],
        }

    def profile(self, username: str) -> dict[str, Any]:
        """A member's profile."""
        with not_found_as_404():
            profile = self.f.forum_reader().profile(self.f.actor(), username_key(username))
        return {"profile": profile}

    def forum_feed(self, forum_id: int) -> dict[str, Any]:
        """The newest topics of a forum, as an Atom feed."""
        with not_found_as_404():
            forum, topics = self.f.forum_reader().recent_topics(
                self.f.actor(), forum_id, FEED_LENGTH
            )
        updated = topics[0].created_at if topics else forum.last_post_at or EPOCH
        return {"forum": forum, "topics": topics, "updated": updated}

    def topic_feed(self, topic_id: int) -> dict[str, Any]:
        """The newest posts of a topic, as an Atom feed."""
        with not_found_as_404():
            topic, posts = self.f.forum_reader().recent_posts(self.f.actor(), topic_id, FEED_LENGTH)
        updated = max(
            (post.edited_at or post.created_at for post in posts), default=topic.created_at
        )
        return {"topic": topic, "posts": posts, "updated": updated}

    def search(self) -> dict[str, Any]:
        """The search form and, once something was asked, a page of results."""
        form = SearchForm(request.args)
        actor = self.f.actor()
        service = self.f.search_service()
        results = None
        if form.q.data and form.validate():
            results = service.search(
                actor,
                form.q.data,
                forum_id=form.forum.data,
                author=form.author.data or None,
                page=page_argument(),
                per_page=current_app.config["SEARCH_RESULTS_PER_PAGE"],
            )
        return {"form": form, "results": results, "forums": service.searchable_forums(actor)}

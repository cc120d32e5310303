"""The read-only forum pages: :class:`forumapp.views.PageView` and its subclasses that
name their URL's values, each with a loader from :class:`ForumPages`.

A loader turns URL values and query arguments into a template context through one
service call; "not there for you" (``NotFound``) propagates to the blueprint, which
answers 404 (:mod:`forumapp.domain_errors`). :class:`ForumPages` holds the
factories the blueprint was built with; its bound methods are the loaders handed to
``PageView.as_view(...)``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from flask.typing import ResponseReturnValue

from forumapp.caching import Snapshot
from forumapp.forum.community import CommunitySummary
from forumapp.forum.errors import InvalidInput
from forumapp.forum.factories import ForumFactories
from forumapp.forum.forms import PostForm, SearchForm
from forumapp.forum.moderation import ForumChoices
from forumapp.forum.presence import OnlineMember
from forumapp.forum.reading import ForumView, TopicView
from forumapp.localtime import viewer_zone
from forumapp.users.models import User, username_key
from forumapp.views import PageView

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


class ForumPages:
    """The loaders of the forum's read-only pages, over injected service factories."""

    def __init__(self, factories: ForumFactories) -> None:
        self.f = factories

    def index(self) -> dict[str, Any]:
        """Categories, forums, totals, the newest members and who is online."""
        actor = self.f.actor()
        viewer = OnlineMember(actor.user_id, actor.username) if actor.user_id else None
        return {
            "index": self.f.forum_reader().index(actor, self.f.reader()),
            "community": COMMUNITY.get(lambda: self.f.community_stats().summary()),
            "online": self.f.who_is_online().now(viewer),
        }

    def category(self, category_id: int) -> dict[str, Any]:
        """One category with its forums."""
        index = self.f.forum_reader().index(self.f.actor(), self.f.reader(), category_id)
        return {"index": index, "category": index.sections[0].category}

    def forum(self, forum_id: int) -> dict[str, Any]:
        """One page of a forum's topics."""
        actor = self.f.actor()
        view = self.f.forum_reader().forum_page(
            actor,
            self.f.reader(),
            forum_id,
            page_argument(),
            current_app.config["TOPICS_PER_PAGE"],
        )
        return {"view": view, "actor": actor, "move_targets": self._move_targets(view)}

    def topic(self, topic_id: int) -> dict[str, Any]:
        """One page of a topic's posts; records views and reading progress."""
        actor = self.f.actor()
        view = self.f.forum_reader().topic_page(
            actor, topic_id, page_argument(), self.f.posts_per_page()
        )
        last_number = view.posts[-1].post.number if view.posts else None
        self.f.topic_visits().record(topic_id, actor.user_id, last_number)
        can_reply = actor.can_reply(view.forum, view.topic)
        return {
            "view": view,
            "actor": actor,
            "move_targets": self._move_targets(view),
            "reply_form": PostForm() if can_reply else None,
            "signatures": current_app.config["SIGNATURES_ENABLED"],
        }

    def _move_targets(self, view: ForumView | TopicView) -> list[ForumChoices]:
        """Where a moderator may move the page's topics (nothing to load for others)."""
        if not view.moderator:
            return []
        return self.f.moderation_service().move_targets(self.f.actor(), view.forum.id)

    def profile(self, username: str) -> dict[str, Any]:
        """A member's profile."""
        profile = self.f.forum_reader().profile(self.f.actor(), username_key(username))
        return {"profile": profile}

    def forum_feed(self, forum_id: int) -> dict[str, Any]:
        """The newest topics of a forum, as an Atom feed."""
        forum, topics = self.f.forum_reader().recent_topics(self.f.actor(), forum_id, FEED_LENGTH)
        updated = topics[0][0].created_at if topics else forum.last_post_at or EPOCH
        return {"forum": forum, "topics": topics, "updated": updated}

    def topic_feed(self, topic_id: int) -> dict[str, Any]:
        """The newest posts of a topic, as an Atom feed."""
        topic, posts = self.f.forum_reader().recent_posts(self.f.actor(), topic_id, FEED_LENGTH)
        updated = max(
            (post.edited_at or post.created_at for post in posts), default=topic.created_at
        )
        return {"topic": topic, "posts": posts, "updated": updated}

    def search(self) -> dict[str, Any]:
        """The search form and, once something was asked, a page of results; filters
        the service refuses (a forum the reader cannot read, an unknown author) become
        errors on their fields."""
        form = SearchForm(request.args)
        actor = self.f.actor()
        service = self.f.search_service()
        results = None
        if form.q.data and form.validate():
            try:
                results = service.search(
                    actor,
                    form.q.data,
                    form.filters(viewer_zone()),
                    page=page_argument(),
                    per_page=current_app.config["SEARCH_RESULTS_PER_PAGE"],
                )
            except InvalidInput as refused:
                form.add_errors([(refused.field, refused.reason)])
        return {"form": form, "results": results, "forums": service.searchable_forums(actor)}


class CategoryPage(PageView):
    """``/category/<id>`` (a slug may follow the id; the id alone decides)."""

    def dispatch_request(  # type: ignore[override]  # see PageView
        self, category_id: int, slug: str | None = None
    ) -> ResponseReturnValue:
        return self.render(self.loader(category_id))


class ForumPage(PageView):
    """``/forum/<id>`` and its Atom feed."""

    def dispatch_request(  # type: ignore[override]  # see PageView
        self, forum_id: int, slug: str | None = None
    ) -> ResponseReturnValue:
        return self.render(self.loader(forum_id))


class TopicPage(PageView):
    """``/topic/<id>`` and its Atom feed."""

    def dispatch_request(  # type: ignore[override]  # see PageView
        self, topic_id: int, slug: str | None = None
    ) -> ResponseReturnValue:
        return self.render(self.loader(topic_id))


class ProfilePage(PageView):
    """``/user/<username>``."""

    def dispatch_request(self, username: str) -> ResponseReturnValue:  # type: ignore[override]
        return self.render(self.loader(username))

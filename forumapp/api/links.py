"""Links from API representations to the forum's web pages."""

from __future__ import annotations

from flask import url_for


class WebLinks:
    """Absolute URLs of the pages that show an item; services receive one from their
    factory, so they build links without knowing about requests."""

    def category(self, category_id: int) -> str:
        """The category's page."""
        return url_for("forum.category", category_id=category_id, _external=True)

    def forum(self, forum_id: int) -> str:
        """The forum's first page of topics."""
        return url_for("forum.forum", forum_id=forum_id, _external=True)

    def topic(self, topic_id: int) -> str:
        """The topic's first page."""
        return url_for("forum.topic", topic_id=topic_id, _external=True)

    def post(self, post_id: int) -> str:
        """The post's permalink."""
        return url_for("forum.post", post_id=post_id, _external=True)

    def profile(self, username: str) -> str:
        """The member's profile."""
        return url_for("forum.profile", username=username, _external=True)

"""Links from API representations to the forum's web pages."""

from __future__ import annotations

from forumapp.http import external_url


class WebLinks:
    """Absolute URLs of the pages that show an item, on the site's public base
    (``EXTERNAL_URL``); services receive one from their factory, so they build links
    without knowing about requests."""

    def category(self, category_id: int) -> str:
        """The category's page."""
        return external_url("forum.category", category_id=category_id)

    def forum(self, forum_id: int) -> str:
        """The forum's first page of topics."""
        return external_url("forum.forum", forum_id=forum_id)

    def topic(self, topic_id: int) -> str:
        """The topic's first page."""
        return external_url("forum.topic", topic_id=topic_id)

    def post(self, post_id: int) -> str:
        """The post's permalink."""
        return external_url("forum.post", post_id=post_id)

    def profile(self, username: str) -> str:
        """The member's profile."""
        return external_url("forum.profile", username=username)

    def conversation(self, conversation_id: int) -> str:
        """The conversation's page on the site."""
        return external_url("messages.conversation", conversation_id=conversation_id)

"""Topics in the API, served by the forum's own posting and moderation services."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from sqlalchemy import select

from forumapp.api import schemas
from forumapp.api.callers import Caller
from forumapp.api.links import WebLinks
from forumapp.api.pagination import Cursor, Page, keyset_page
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.lookups import topics_visible_to, visible_topic
from forumapp.forum.models import Post, Topic
from forumapp.forum.moderation import ModerationService, TopicAction
from forumapp.forum.posting import PostingService
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession

MISSING_FORUM = _l("There is no such forum, or you may not see it.")


class TopicResourceService:
    """Lists, reads, starts, changes and deletes topics for an API caller."""

    def __init__(
        self,
        session: DbSession,
        posting: PostingService,
        moderation: ModerationService,
        links: WebLinks,
    ) -> None:
        self._session = session
        self._posting = posting
        self._moderation = moderation
        self._links = links

    def list(
        self, caller: Caller, query: schemas.TopicQuery, cursor: Cursor
    ) -> Page[schemas.Topic]:
        """Topics the caller may see, newest first."""
        statement = select(Topic).where(topics_visible_to(caller.actor))
        if query.forum_id is not None:
            statement = statement.where(Topic.forum_id == query.forum_id)
        page = keyset_page(self._session, statement, Topic.id, cursor, query.limit, descending=True)
        topics = [row[0] for row in page.items]
        first_posts = self._first_posts([topic.id for topic in topics])
        items = [self._represent(topic, first_posts.get(topic.id)) for topic in topics]
        return Page(items, page.next, page.prev)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> schemas.Topic:
        """One topic the caller may see."""
        topic, _ = visible_topic(self._session, caller.actor, item_id)
        if lock:
            self._session.execute(select(Topic.id).where(Topic.id == topic.id).with_for_update())
        return self._represent(topic, self._first_posts([topic.id]).get(topic.id))

    def create(self, caller: Caller, data: schemas.TopicCreate) -> schemas.Topic:
        """Start a topic (the forum's rules: ``posttopic``, forum not locked)."""
        try:
            topic = self._posting.create_topic(
                caller.actor, data.forum_id, data.title, data.content
            )
        except NotFound:
            # A parent named in the body is a field of the request, not the resource at
            # its URL: like a missing category or move target, it is a 422 naming it.
            raise InvalidInput("forum_id", MISSING_FORUM) from None
        return self.get(caller, topic.id)

    def authorize_create(self, caller: Caller, data: schemas.TopicCreate | None) -> None:
        """Every member may try; the forum's rules are checked as the topic is written."""

    def authorize_update(
        self, caller: Caller, item_id: int, data: schemas.TopicUpdate | None
    ) -> None:
        """Retitling needs the right to edit the first post; locking, pinning and moving
        need a moderator of the forum. Without ``data``: either of them."""
        actor = caller.actor
        topic, forum = visible_topic(self._session, actor, item_id)
        first = self._first_post(topic.id)
        may_retitle = first is not None and actor.can_edit_post(forum, topic, first)
        if data is None:
            if not (may_retitle or actor.moderates(forum.id)):
                raise Forbidden(_l("You cannot change this topic."))
            return
        if (_moderation_actions(topic, data) or data.forum_id is not None) and not (
            actor.moderates(forum.id)
        ):
            raise Forbidden(_l("Only a moderator of this forum can lock, pin or move topics."))
        if data.title is not None and data.title != topic.title and not may_retitle:
            raise Forbidden(_l("You cannot change this topic's title."))

    def authorize_delete(self, caller: Caller, item_id: int) -> None:
        """Deleting a topic is deleting its first post."""
        actor = caller.actor
        topic, forum = visible_topic(self._session, actor, item_id)
        first = self._first_post(topic.id)
        if first is None or not actor.can_delete_post(forum, topic, first):
            raise Forbidden(_l("You cannot delete this topic."))

    def update(self, caller: Caller, item_id: int, data: schemas.TopicUpdate) -> schemas.Topic:
        """Retitle (as the first post's editor), lock, pin or move (as a moderator).

        Every permission is checked before anything changes, so a refused part leaves the
        topic as it was.
        """
        self.authorize_update(caller, item_id, data)
        actor = caller.actor
        topic, forum = visible_topic(self._session, actor, item_id)
        actions = _moderation_actions(topic, data)
        first = self._first_post(topic.id)
        retitle = data.title is not None and data.title != topic.title
        # Each service call commits on its own; the move goes first because only it can
        # still be refused (by its target forum), and a refusal must leave nothing done.
        # A retitle is a post for flood control: counted before the move, for the same reason.
        forum_id = forum.id
        with self._posting.counting(actor) if retitle else contextlib.nullcontext():
            if data.forum_id is not None and data.forum_id != topic.forum_id:
                self._move(caller, forum_id, topic.id, data.forum_id)
                forum_id = data.forum_id
            if retitle and first is not None and data.title is not None:
                self._posting.edit_post(actor, first.id, first.content, data.title)
        for action in actions:
            self._moderation.act_on_topics(
                actor, forum_id, [topic.id], action, client_address=caller.ip_address
            )
        return self.get(caller, item_id)

    def delete(self, caller: Caller, item_id: int) -> None:
        """Soft-delete the topic, as deleting its first post does on the web."""
        visible_topic(self._session, caller.actor, item_id)
        first = self._first_post(item_id)
        if first is None:
            raise Forbidden(_l("This topic has no first post to delete."))
        self._posting.delete_post(caller.actor, first.id)

    def _move(self, caller: Caller, forum_id: int, topic_id: int, target_forum_id: int) -> None:
        try:
            self._moderation.act_on_topics(
                caller.actor,
                forum_id,
                [topic_id],
                TopicAction.MOVE,
                target_forum_id=target_forum_id,
                client_address=caller.ip_address,
            )
        except InvalidInput as exc:
            # The web form's field is ``target_forum_id``; the API's is ``forum_id``.
            raise InvalidInput("forum_id", exc.reason) from None

    def _first_post(self, topic_id: int) -> Post | None:
        return self._session.scalar(select(Post).where(Post.topic_id == topic_id, Post.number == 1))

    def _first_posts(self, topic_ids: Sequence[int]) -> dict[int, int]:
        if not topic_ids:
            return {}
        rows = self._session.execute(
            select(Post.topic_id, Post.id).where(Post.topic_id.in_(topic_ids), Post.number == 1)
        )
        return {row[0]: row[1] for row in rows}

    def _represent(self, topic: Topic, first_post_id: int | None) -> schemas.Topic:
        return schemas.Topic(
            id=topic.id,
            forum_id=topic.forum_id,
            title=topic.title,
            user_id=topic.user_id,
            author_name=topic.author_name,
            created_at=topic.created_at,
            locked=topic.locked,
            sticky=topic.sticky,
            deleted=topic.deleted,
            post_count=topic.post_count,
            reply_count=topic.reply_count,
            views=topic.views,
            first_post_id=first_post_id,
            last_post_id=topic.last_post_id,
            last_post_at=topic.last_post_at,
            last_poster_name=topic.last_poster_name,
            url=self._links.topic(topic.id),
        )


def _moderation_actions(topic: Topic, data: schemas.TopicUpdate) -> list[TopicAction]:
    actions = []
    if data.locked is not None and data.locked != topic.locked:
        actions.append(TopicAction.LOCK if data.locked else TopicAction.UNLOCK)
    if data.sticky is not None and data.sticky != topic.sticky:
        actions.append(TopicAction.PIN if data.sticky else TopicAction.UNPIN)
    return actions

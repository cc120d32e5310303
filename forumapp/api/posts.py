"""Posts in the API, served by the forum's own posting and moderation services."""

from __future__ import annotations

from sqlalchemy import select

from forumapp.api import schemas
from forumapp.api.callers import Caller
from forumapp.api.links import WebLinks
from forumapp.api.pagination import Cursor, Page, keyset_page
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.lookups import topics_visible_to, visible_post
from forumapp.forum.models import Post, Topic
from forumapp.forum.moderation import ModerationService, PostAction
from forumapp.forum.permissions import Actor
from forumapp.forum.posting import PostingService
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession

MISSING_TOPIC = _l("There is no such topic, or you may not see it.")


class PostResourceService:
    """Lists, reads, writes, edits, hides and deletes posts for an API caller."""

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

    def list(self, caller: Caller, query: schemas.PostQuery, cursor: Cursor) -> Page[schemas.Post]:
        """Posts of topics the caller may see, in the order written."""
        statement = (
            select(Post, Topic.forum_id)
            .join(Topic, Topic.id == Post.topic_id)
            .where(topics_visible_to(caller.actor))
        )
        if query.topic_id is not None:
            statement = statement.where(Post.topic_id == query.topic_id)
        page = keyset_page(self._session, statement, Post.id, cursor, query.limit)
        items = [self._represent(caller.actor, post, forum_id) for post, forum_id in page.items]
        return Page(items, page.next, page.prev)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> schemas.Post:
        """One post of a topic the caller may see."""
        post, _, forum = visible_post(self._session, caller.actor, item_id)
        if lock:
            self._session.execute(select(Post.id).where(Post.id == post.id).with_for_update())
        return self._represent(caller.actor, post, forum.id)

    def create(self, caller: Caller, data: schemas.PostCreate) -> schemas.Post:
        """Reply at the end of a topic (``postreply``, topic and forum open)."""
        try:
            post = self._posting.reply(caller.actor, data.topic_id, data.content)
        except NotFound:
            # As for every parent named in a body: a 422 naming the field.
            raise InvalidInput("topic_id", MISSING_TOPIC) from None
        return self.get(caller, post.id)

    def authorize_create(self, caller: Caller, data: schemas.PostCreate | None) -> None:
        """Every member may try; the topic's rules are checked as the reply is written."""

    def authorize_update(
        self, caller: Caller, item_id: int, data: schemas.PostUpdate | None
    ) -> None:
        """New text needs the right to edit the post, hiding a moderator of its forum.
        Without ``data``: either of them."""
        actor = caller.actor
        post, topic, forum = visible_post(self._session, actor, item_id)
        may_edit = actor.can_edit_post(forum, topic, post)
        if data is None:
            if not (may_edit or actor.moderates(forum.id)):
                raise Forbidden(_l("You cannot edit this post."))
            return
        if data.content is not None and data.content != post.content and not may_edit:
            raise Forbidden(_l("You cannot edit this post."))
        if (
            data.hidden is not None
            and data.hidden != post.hidden
            and not actor.may_remove(forum.id)
        ):
            raise Forbidden(_l("Only a moderator of this forum can hide or show posts."))

    def authorize_delete(self, caller: Caller, item_id: int) -> None:
        """The author (while the topic is open) or a moderator."""
        actor = caller.actor
        post, topic, forum = visible_post(self._session, actor, item_id)
        if not actor.can_delete_post(forum, topic, post):
            raise Forbidden(_l("You cannot delete this post."))

    def update(self, caller: Caller, item_id: int, data: schemas.PostUpdate) -> schemas.Post:
        """New text (author or moderator), or hide/unhide (moderator). Permissions for
        every requested change are checked before any is made."""
        self.authorize_update(caller, item_id, data)
        actor = caller.actor
        post = visible_post(self._session, actor, item_id)[0]
        if data.content is not None and data.content != post.content:
            self._posting.edit_post(actor, post.id, data.content)
        if data.hidden is not None and data.hidden != post.hidden:
            action = PostAction.HIDE if data.hidden else PostAction.UNHIDE
            self._moderation.act_on_post(actor, post.id, action, client_address=caller.ip_address)
        return self.get(caller, item_id)

    def delete(self, caller: Caller, item_id: int) -> None:
        """Soft-delete the post; deleting the first post deletes its topic."""
        self._posting.delete_post(caller.actor, item_id)

    def _represent(self, actor: Actor, post: Post, forum_id: int) -> schemas.Post:
        shown = actor.can_see_post_body(post, forum_id)
        return schemas.Post(
            id=post.id,
            topic_id=post.topic_id,
            number=post.number,
            user_id=post.user_id,
            author_name=post.author_name,
            content=post.content if shown else None,
            html=post.html if shown else None,
            created_at=post.created_at,
            edited_at=post.edited_at,
            edited_by=post.edited_by,
            deleted=post.deleted,
            hidden=post.hidden,
            url=self._links.post(post.id),
        )

"""Writing: new topics, replies, edits and deletions, each checked against permissions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy import update

from forumapp.events import NO_EVENTS, Events, PostSaved, TopicCreated
from forumapp.forum.counters import Counters
from forumapp.forum.errors import Forbidden, NotFound
from forumapp.forum.events import ForumEvents
from forumapp.forum.lookups import visible_forum, visible_post, visible_topic
from forumapp.forum.markdown import RENDERER_VERSION, quote_markdown, render_markdown
from forumapp.forum.models import Forum, Post, Topic
from forumapp.forum.permissions import Actor
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession, atomic

#: Why an actor may not write here, as the page and the API tell them.
CANNOT_START = _l("You cannot start a topic in this forum.")
CANNOT_REPLY = _l("You cannot reply to this topic.")
CANNOT_EDIT = _l("You cannot edit this post.")
CANNOT_DELETE = _l("You cannot delete this post.")

Clock = Callable[[], datetime]


class Budget(Protocol):
    """Flood control: how many posts (or previews) an actor may write in a window.

    ``take`` counts one before the work is done, in one atomic step of a store every worker
    shares, and raises :class:`~forumapp.forum.errors.Flooded` when none is left; it raises
    whatever its store raises when the count cannot be kept (the work must not happen then).
    ``give_back`` returns one taken for work that did not happen.
    """

    def take(self, actor: Actor) -> None:
        """Count one action of ``actor``, or refuse it."""

    def give_back(self, actor: Actor) -> None:
        """Return an action taken for work that was not done."""


def without_nul(text: str) -> str:
    """Replace NUL characters by U+FFFD, as CommonMark asks; PostgreSQL refuses NUL in text.

    The web forms refuse control characters already; this protects every other caller.
    """
    return text.replace("\x00", "\ufffd")


class PostingService:
    """Creates, edits and soft-deletes topics and posts for an actor.

    ``posts`` is the flood control shared by new topics, replies and edits, wherever they
    come from (web forms, the API); ``previews`` bounds previews. Without them nothing is
    counted (scripts, the demo, tests that are not about flood control). ``render`` turns
    Markdown into safe HTML (the app's, with the enabled plugins' rules; forumapp's own
    when omitted); ``events`` hears of new topics and saved posts once they are committed.
    ``forum_events`` hears of each new post inside the post's unit of work, and acts once
    it commits (notifications).
    """

    def __init__(
        self,
        session: DbSession,
        clock: Clock,
        posts: Budget | None = None,
        previews: Budget | None = None,
        *,
        render: Callable[[str], str] | None = None,
        events: Events = NO_EVENTS,
        forum_events: ForumEvents | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._counters = Counters(session)
        self._posts = posts
        self._previews = previews
        # Looked up when used, not bound here: forumapp's renderer unless one was given.
        self._renderer = render
        self._events = events
        self._forum_events = forum_events
        self._counting = False

    def create_topic(self, actor: Actor, forum_id: int, title: str, content: str) -> Topic:
        """Start a topic with its first post."""
        title, content = without_nul(title), without_nul(content)
        forum = visible_forum(self._session, actor, forum_id)
        if not actor.can_post_topic(forum):
            raise Forbidden(CANNOT_START)
        html = self._render(content)  # before the write lock: rendering can take a while
        with self._counted(actor), atomic(self._session):
            self._counters.lock_forum(forum)
            now = self._clock()  # after the lock: see Counters.lock_forum
            topic = Topic(
                forum_id=forum.id,
                user_id=actor.user_id,
                author_name=actor.username,
                title=title,
                created_at=now,
                last_post_at=now,
                post_number_seq=0,
                post_count=0,
                views=0,
            )
            self._session.add(topic)
            self._session.flush()
            post = self._add_post(topic, actor, content, html, now)
            self._counters.post_added(forum, topic, post, new_topic=True)
            self._written(post)
        self._events.topic_created(
            TopicCreated(topic.id, forum.id, title, actor.user_id, actor.username)
        )
        self._saved(post, edited=False)
        return topic

    def reply(self, actor: Actor, topic_id: int, content: str) -> Post:
        """Add a post at the end of a topic."""
        content = without_nul(content)
        topic, forum = visible_topic(self._session, actor, topic_id)
        if not actor.can_reply(forum, topic):
            raise Forbidden(CANNOT_REPLY)
        html = self._render(content)  # before the write lock: rendering can take a while
        with self._counted(actor), atomic(self._session):
            # Numbers are handed out by an atomic increment, so concurrent replies never
            # collide (the unique (topic_id, number) constraint is the backstop).
            self._session.execute(
                update(Topic)
                .where(Topic.id == topic.id)
                .values(post_number_seq=Topic.post_number_seq + 1)
            )
            self._session.refresh(topic, ["post_number_seq"])
            self._counters.lock_forum(forum)
            now = self._clock()  # after the lock: see Counters.lock_forum
            post = self._new_post(topic, actor, content, html, now, topic.post_number_seq)
            self._counters.post_added(forum, topic, post, new_topic=False)
            self._written(post)
        self._saved(post, edited=False)
        return post

    def edit_post(self, actor: Actor, post_id: int, content: str, title: str | None = None) -> Post:
        """Change a post's text (and the topic title when it is the first post)."""
        content = without_nul(content)
        title = without_nul(title) if title is not None else None
        post, topic, forum = visible_post(self._session, actor, post_id)
        if not actor.can_edit_post(forum, topic, post):
            raise Forbidden(CANNOT_EDIT)
        html = self._render(content)  # before the write lock: rendering can take a while
        with self._counted(actor), atomic(self._session):
            post.content = content
            post.html = html
            post.renderer_version = RENDERER_VERSION
            post.edited_at = self._clock()
            post.edited_by = actor.username
            if title is not None and post.number == 1 and title != topic.title:
                topic.title = title
                if forum.last_topic_id == topic.id:
                    forum.last_topic_title = title
        self._saved(post, edited=True)
        return post

    def _render(self, content: str) -> str:
        return (self._renderer or render_markdown)(content)

    def _saved(self, post: Post, *, edited: bool) -> None:
        self._events.post_saved(
            PostSaved(post.id, post.topic_id, post.user_id, post.author_name, post.content, edited)
        )

    def delete_post(self, actor: Actor, post_id: int) -> Post:
        """Soft-delete a post; deleting the first post deletes the topic."""
        post, topic, forum = visible_post(self._session, actor, post_id)
        if not actor.can_delete_post(forum, topic, post):
            raise Forbidden(CANNOT_DELETE)
        with atomic(self._session):
            if post.number == 1:
                if not topic.deleted:  # a moderator may open an already deleted topic
                    topic.deleted = True
                    topic.deleted_at, topic.deleted_by = self._clock(), actor.username
                    self._counters.recount_forum(forum)
                    self._counters.topics_visibility_changed([topic.id], visible=False)
            else:
                post.deleted = True
                post.deleted_at, post.deleted_by = self._clock(), actor.username
                self._counters.recount_topic(topic)
                self._counters.recount_forum(forum)
                if post.user_id is not None:
                    self._counters.recount_users({post.user_id})
        return post

    def preview(self, actor: Actor, content: str) -> str:
        """The HTML a post with ``content`` would show; previews are flood-controlled too,
        as each renders Markdown."""
        if self._previews is not None:
            self._previews.take(actor)
        return self._render(without_nul(content))

    def quote(self, actor: Actor, topic_id: int, post_id: int) -> str:
        """The start of a reply to ``topic_id`` quoting post ``post_id`` (the agreed format
        of :func:`~forumapp.forum.markdown.quote_markdown`, linked to ``/post/<id>``); ""
        when the actor may not read that post, or it is of another topic."""
        try:
            post, topic, _ = visible_post(self._session, actor, post_id)
        except NotFound:
            return ""
        if topic.id != topic_id or post.deleted or post.hidden:
            return ""
        return quote_markdown(post.author_name, post.content, f"/post/{post.id}")

    def find_post(self, actor: Actor, post_id: int) -> tuple[Post, Topic, Forum]:
        """A post the actor may see, with its topic and forum."""
        return visible_post(self._session, actor, post_id)

    def find_topic(self, actor: Actor, topic_id: int) -> tuple[Topic, Forum]:
        """A topic the actor may see, with its forum."""
        return visible_topic(self._session, actor, topic_id)

    def find_forum(self, actor: Actor, forum_id: int) -> Forum:
        """A forum the actor may see."""
        return visible_forum(self._session, actor, forum_id)

    @contextmanager
    def counting(self, actor: Actor) -> Iterator[None]:
        """Count one post for a change made in several steps that may include a post (the
        API moves a topic, then retitles it): taken before the first step, so a spent
        budget refuses the change before anything is done, and given back if a step
        fails. The writes inside are not counted again."""
        if self._counting:
            yield
            return
        with self._counted(actor):
            self._counting = True
            try:
                yield
            finally:
                self._counting = False

    @contextmanager
    def _counted(self, actor: Actor) -> Iterator[None]:
        # Taken before the transaction starts: when the count cannot be kept or says no,
        # nothing is written. A write that then fails gives its post back.
        if self._posts is None or self._counting:
            yield
            return
        self._posts.take(actor)
        try:
            yield
        except BaseException:
            self._posts.give_back(actor)
            raise

    def _written(self, post: Post) -> None:
        # Inside the post's unit of work: the listener acts once it commits, never on a
        # rollback.
        if self._forum_events is not None:
            self._forum_events.post_saved(post.id)

    def _add_post(self, topic: Topic, actor: Actor, content: str, html: str, now: datetime) -> Post:
        topic.post_number_seq += 1
        return self._new_post(topic, actor, content, html, now, topic.post_number_seq)

    def _new_post(
        self, topic: Topic, actor: Actor, content: str, html: str, now: datetime, number: int
    ) -> Post:
        post = Post(
            topic_id=topic.id,
            number=number,
            user_id=actor.user_id,
            author_name=actor.username,
            content=content,
            html=html,
            renderer_version=RENDERER_VERSION,
            created_at=now,
            deleted=False,
            hidden=False,
        )
        self._session.add(post)
        self._session.flush()
        return post

"""Denormalized counters and last-post pointers, kept right in one place.

Adding a post is the hot path and applies deltas. Removing, restoring or moving content
recomputes the affected topic and forums from indexed aggregates, so the stored values
can never drift however the content changed.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from forumapp.forum.models import Forum, Post, Topic
from forumapp.persistence import DbSession
from forumapp.users.models import User

#: Posts that count: neither deleted nor hidden by a moderator.
_VISIBLE = (Post.deleted.is_(False), Post.hidden.is_(False))


class Counters:
    """Maintains topic, forum and user counters within the caller's transaction."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def lock_forum(self, forum: Forum) -> None:
        """Wait for every other writer of the forum to finish, and hold them off until the
        caller's transaction ends.

        A post's time orders the last-post pointers, so it must be read after this: a time
        read before could be older than one a writer that got the lock first has already
        stored, and would then point the forum back at an older post. The statement changes
        nothing; it takes the row's lock on PostgreSQL and the write lock on SQLite.
        """
        self._session.execute(
            update(Forum).where(Forum.id == forum.id).values(post_count=Forum.post_count)
        )

    def post_added(self, forum: Forum, topic: Topic, post: Post, *, new_topic: bool) -> None:
        """A visible post was written (the first one of a new topic, or a reply).

        Counts move by increments in SQL, so concurrent writers cannot lose each other's
        updates; the objects are refreshed from what the database then holds.
        """
        pointers = {
            "last_post_id": post.id,
            "last_post_at": post.created_at,
            "last_poster_name": post.author_name,
        }
        self._session.execute(
            update(Topic)
            .where(Topic.id == topic.id)
            .values(post_count=Topic.post_count + 1, **pointers)
        )
        self._session.execute(
            update(Forum)
            .where(Forum.id == forum.id)
            .values(
                post_count=Forum.post_count + 1,
                topic_count=Forum.topic_count + (1 if new_topic else 0),
                last_topic_id=topic.id,
                last_topic_title=topic.title,
                **pointers,
            )
        )
        self._session.refresh(topic)
        self._session.refresh(forum)
        if post.user_id is not None:
            self._session.execute(
                update(User)
                .where(User.id == post.user_id)
                .values(post_count=User.post_count + 1, last_seen=post.created_at)
            )

    def recount_topic(self, topic: Topic) -> None:
        """Recompute a topic's visible post count and last post."""
        self._session.flush()
        topic.post_count = (
            self._session.scalar(select(func.count()).where(Post.topic_id == topic.id, *_VISIBLE))
            or 0
        )
        last = self._session.execute(
            select(Post.id, Post.created_at, Post.author_name)
            .where(Post.topic_id == topic.id, *_VISIBLE)
            .order_by(Post.number.desc())
            .limit(1)
        ).first()
        if last is not None:
            topic.last_post_id, topic.last_post_at, topic.last_poster_name = last

    def recount_forum(self, forum: Forum) -> None:
        """Recompute a forum's topic and post counts and its last post."""
        self._session.flush()
        live = (Topic.forum_id == forum.id, Topic.deleted.is_(False))
        forum.topic_count, forum.post_count = self._session.execute(
            select(func.count(), func.coalesce(func.sum(Topic.post_count), 0)).where(*live)
        ).one()
        last = self._session.execute(
            select(
                Topic.id,
                Topic.title,
                Topic.last_post_id,
                Topic.last_post_at,
                Topic.last_poster_name,
            )
            .where(*live)
            .order_by(Topic.last_post_at.desc(), Topic.id.desc())
            .limit(1)
        ).first()
        if last is None:
            forum.last_topic_id = forum.last_topic_title = forum.last_post_id = None
            forum.last_post_at = forum.last_poster_name = None
        else:
            (
                forum.last_topic_id,
                forum.last_topic_title,
                forum.last_post_id,
                forum.last_post_at,
                forum.last_poster_name,
            ) = last

    def topics_visibility_changed(self, topic_ids: list[int], *, visible: bool) -> None:
        """Topics were deleted or restored: move their authors' post counts by the
        visible posts they wrote there (one grouped read, one batched update)."""
        if not topic_ids:
            return
        self._session.flush()
        per_author = self._session.execute(
            select(Post.user_id, func.count())
            .where(Post.topic_id.in_(topic_ids), Post.user_id.is_not(None), *_VISIBLE)
            .group_by(Post.user_id)
        ).all()
        if not per_author:
            return
        sign = 1 if visible else -1
        users = User.__table__
        self._session.connection().execute(
            users.update()
            .where(users.c.id == bindparam("author"))
            .values(post_count=users.c.post_count + bindparam("delta")),
            [{"author": author, "delta": sign * count} for author, count in per_author],
        )

    def recount_users(self, user_ids: set[int]) -> None:
        """Recompute the visible post counts of these members, in one statement."""
        if not user_ids:
            return
        self._session.flush()
        visible_posts = (
            select(func.count())
            .select_from(Post)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Post.user_id == User.id, Topic.deleted.is_(False), *_VISIBLE)
            .scalar_subquery()
        )
        self._session.execute(
            update(User).where(User.id.in_(user_ids)).values(post_count=visible_posts)
        )

"""What happens to a member's posts when their account goes: they stay under a neutral
name, or they are deleted like a moderator deletes them, with every counter recounted.

Both the management panel (an admin deletes an account) and the member's own settings
(``/settings/delete``) go through :func:`release_posts`, so the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import select, update

from forumapp.forum.counters import Counters
from forumapp.forum.models import Forum, Post, Topic
from forumapp.persistence import DbSession

#: The author name posts of a deleted account are shown under.
DELETED_USER = "deleted user"


def release_posts(session: DbSession, user_id: int, *, keep_posts: bool) -> None:
    """Detach the member's posts and topics from their name, within the caller's
    transaction and before the account row is deleted (which clears ``user_id``).

    Kept posts are shown as written by :data:`DELETED_USER`. Otherwise the member's
    replies are deleted and so are the topics they started (with the replies of others,
    as when a moderator deletes a topic): soft deletions, which moderators can still
    review. Either way the name goes from the posts, and every topic, forum and member
    counter and last-post pointer touched is recomputed.
    """
    topic_ids = set(
        session.scalars(select(Post.topic_id).where(Post.user_id == user_id).distinct())
    )
    topic_ids.update(session.scalars(select(Topic.id).where(Topic.user_id == user_id)))
    if not keep_posts:
        session.execute(
            update(Post).where(Post.user_id == user_id, Post.number > 1).values(deleted=True)
        )
        session.execute(update(Topic).where(Topic.user_id == user_id).values(deleted=True))
    session.execute(update(Post).where(Post.user_id == user_id).values(author_name=DELETED_USER))
    session.execute(update(Topic).where(Topic.user_id == user_id).values(author_name=DELETED_USER))
    _recount(session, topic_ids)


def _recount(session: DbSession, topic_ids: set[int]) -> None:
    counters = Counters(session)
    forums: set[int] = set()
    for topic in session.scalars(select(Topic).where(Topic.id.in_(topic_ids))):
        counters.recount_topic(topic)
        forums.add(topic.forum_id)
    for forum in session.scalars(select(Forum).where(Forum.id.in_(forums))):
        counters.recount_forum(forum)
    # Deleting a topic takes the replies of other members with it, and their counts.
    authors = session.scalars(
        select(Post.user_id)
        .where(Post.topic_id.in_(topic_ids), Post.user_id.is_not(None))
        .distinct()
    )
    counters.recount_users({author for author in authors if author is not None})

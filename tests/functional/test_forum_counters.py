"""Service level: after any mix of writes, every stored counter equals a fresh recount."""

from __future__ import annotations

import random

import pytest
from flask import Flask
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.models import Forum, Post, Topic
from forumapp.forum.moderation import ModerationService, PostAction, TopicAction
from forumapp.forum.posting import PostingService
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.forum_world import World


def stored_and_recounted(app: Flask) -> tuple[dict[str, object], dict[str, object]]:
    """Every counter as stored, and as computed from the posts and topics themselves."""
    with app.app_context():
        session = db.session
        stored: dict[str, object] = {}
        fresh: dict[str, object] = {}
        for topic in session.scalars(select(Topic)):
            visible = session.scalars(
                select(Post)
                .where(Post.topic_id == topic.id, Post.deleted.is_(False), Post.hidden.is_(False))
                .order_by(Post.number)
            ).all()
            stored[f"topic {topic.id}"] = (topic.post_count, topic.last_post_id)
            fresh[f"topic {topic.id}"] = (
                len(visible),
                visible[-1].id if visible else topic.last_post_id,
            )
        for forum in session.scalars(select(Forum)):
            live = session.scalars(
                select(Topic)
                .where(Topic.forum_id == forum.id, Topic.deleted.is_(False))
                .order_by(Topic.last_post_at.desc(), Topic.id.desc())
            ).all()
            stored[f"forum {forum.id}"] = (forum.topic_count, forum.post_count, forum.last_post_id)
            fresh[f"forum {forum.id}"] = (
                len(live),
                sum(t.post_count for t in live),
                live[0].last_post_id if live else None,
            )
        for user in session.scalars(select(User)):
            count = session.scalar(
                select(func.count())
                .select_from(Post)
                .join(Topic, Topic.id == Post.topic_id)
                .where(
                    Post.user_id == user.id,
                    Post.deleted.is_(False),
                    Post.hidden.is_(False),
                    Topic.deleted.is_(False),
                )
            )
            stored[f"user {user.username}"] = user.post_count
            fresh[f"user {user.username}"] = count
        return stored, fresh


@pytest.mark.parametrize("seed", range(1, 6))
def test_counters_survive_any_sequence_of_writes(app: Flask, world: World, seed: int) -> None:
    rng = random.Random(seed)
    authors = ["member", "member2", "moderator", "admin"]
    topics: list[int] = []
    for _ in range(60):
        with app.app_context():
            posting = PostingService(db.session, utcnow)
            moderation = ModerationService(db.session, utcnow)
            admin = world.actor("admin")
            choice = rng.random()
            try:
                if choice < 0.2 or not topics:
                    forum = rng.choice([world.forum_a, world.forum_b])
                    topics.append(
                        posting.create_topic(world.actor(rng.choice(authors)), forum, "T", "x").id
                    )
                elif choice < 0.55:
                    posting.reply(world.actor(rng.choice(authors)), rng.choice(topics), "r")
                elif choice < 0.7:
                    post_id = db.session.scalar(
                        select(Post.id)
                        .where(Post.topic_id == rng.choice(topics))
                        .order_by(func.random())
                        .limit(1)
                    )
                    action = rng.choice([PostAction.DELETE, PostAction.RESTORE, PostAction.HIDE])
                    moderation.act_on_post(admin, post_id or 0, action)
                elif choice < 0.85:
                    topic = db.session.get(Topic, rng.choice(topics))
                    assert topic is not None
                    action = rng.choice([TopicAction.DELETE, TopicAction.RESTORE, TopicAction.MOVE])
                    target = world.forum_b if topic.forum_id == world.forum_a else world.forum_a
                    moderation.act_on_topics(admin, topic.forum_id, [topic.id], action, target)
                else:
                    post_id = db.session.scalar(
                        select(Post.id)
                        .where(Post.topic_id == rng.choice(topics), Post.deleted.is_(False))
                        .order_by(func.random())
                        .limit(1)
                    )
                    posting.delete_post(admin, post_id or 0)
            except (Forbidden, InvalidInput, NotFound):
                pass  # e.g. a member replying to a deleted topic: refused, nothing written
    stored, fresh = stored_and_recounted(app)
    assert stored == fresh

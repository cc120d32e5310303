"""A small forum to test against: forums, members of every role, and helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.actor import load_actor
from forumapp.forum.permissions import Actor
from forumapp.forum.posting import PostingService
from forumapp.forum.structure import ForumStructure
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User

MakeUser = Callable[..., User]
ROLES = ("guest", "member", "banned", "moderator", "other_moderator", "admin")


@dataclass
class World:
    """Ids of what the tests use; objects are re-read inside app contexts."""

    app: Flask
    forum_a: int
    forum_b: int
    hidden_forum: int
    users: dict[str, int]
    #: A post of the acting role (set by tests that need one).
    own_post: int = 0

    def actor(self, role: str) -> Actor:
        """The actor of a role (call inside an app context)."""
        if role == "guest":
            guest = db.session.scalar(select(Group).where(Group.key == GroupKey.GUEST))
            assert guest is not None
            return load_actor(None, "", guest)
        user = db.session.get(User, self.users[role])
        assert user is not None
        return load_actor(user.id, user.username, user.group)

    def topic(
        self,
        role: str = "member",
        forum: int | None = None,
        title: str = "Hello",
        content: str = "First post",
    ) -> int:
        """Create a topic as ``role``; returns its id."""
        with self.app.app_context():
            topic = PostingService(db.session, utcnow).create_topic(
                self.actor(role), forum or self.forum_a, title, content
            )
            return topic.id

    def reply(self, topic_id: int, role: str = "member", content: str = "A reply") -> int:
        """Reply as ``role``; returns the post id."""
        with self.app.app_context():
            return PostingService(db.session, utcnow).reply(self.actor(role), topic_id, content).id


def build_world(app: Flask, make_user: MakeUser) -> World:
    """Two open forums, one hidden from everyone but staff, and a user per role."""
    users = {
        "member": make_user("alice").id,
        "member2": make_user("bob").id,
        "banned": make_user("mallory").id,  # banned after logging in: see ban()
        "moderator": make_user("mod_a", group=GroupKey.MOD).id,
        "other_moderator": make_user("mod_b", group=GroupKey.MOD).id,
        "admin": make_user("root", group=GroupKey.ADMIN).id,
    }
    with app.app_context():
        structure = ForumStructure(db.session)
        category = structure.create_category("General", "Talk about anything")
        staff = db.session.scalars(
            select(Group.id).where(Group.key.in_([GroupKey.ADMIN, GroupKey.SUPER_MOD]))
        ).all()
        forum_a = structure.create_forum(category.id, "Forum A", moderators=[users["moderator"]]).id
        forum_b = structure.create_forum(
            category.id, "Forum B", position=1, moderators=[users["other_moderator"]]
        ).id
        hidden = structure.create_forum(category.id, "Staff room", position=2, visible_to=staff).id
    return World(app, forum_a, forum_b, hidden, users)


def ban(app: Flask, user_id: int) -> None:
    """Move a member to the Banned group (their session stays, as after a ban)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        banned = db.session.scalar(select(Group.id).where(Group.key == GroupKey.BANNED))
        assert user is not None and banned is not None
        user.group_id = banned
        db.session.commit()

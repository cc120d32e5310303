"""Helpers of the notification tests: members acting through their own test clients."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from forumapp.extensions import db
from forumapp.notifications.models import Notification
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import any_csrf_token


class Member:
    """A logged-in member with a client of their own."""

    def __init__(self, world: World, role: str, username: str) -> None:
        self.app = world.app
        self.user_id = world.users[role]
        self.client = world.app.test_client()
        assert AuthActions(self.client).login(username).status_code == 302

    def post(self, path: str, **data: Any) -> Any:
        """A form POST with a valid CSRF token."""
        return self.client.post(path, data={"csrf_token": any_csrf_token(self.client), **data})

    def start_topic(self, forum_id: int, title: str = "Hello", content: str = "First") -> int:
        """Start a topic through the form; returns its id."""
        response = self.post(f"/forum/{forum_id}/new-topic", title=title, content=content)
        assert response.status_code == 302, response.get_data(as_text=True)
        match = re.search(r"/topic/(\d+)", response.location)
        assert match
        return int(match.group(1))

    def reply(self, topic_id: int, content: str = "A reply") -> int:
        """Reply through the form; returns the post's id."""
        response = self.post(f"/topic/{topic_id}/reply", content=content)
        assert response.status_code == 302, response.get_data(as_text=True)
        match = re.search(r"/post/(\d+)", response.location)
        assert match
        return int(match.group(1))

    def watch(self, target: str, target_id: int, level: str) -> Any:
        """Choose a level with the page's watch control."""
        return self.post(f"/{target}/{target_id}/watch", level=level)

    def notifications(self) -> list[Notification]:
        """The member's notification lines, newest first."""
        with self.app.app_context():
            rows = db.session.scalars(
                select(Notification)
                .where(Notification.user_id == self.user_id)
                .order_by(Notification.updated_at.desc(), Notification.id.desc())
            ).all()
            for row in rows:
                db.session.expunge(row)
            return list(rows)

    def page(self, path: str = "/notifications") -> str:
        """A page's HTML."""
        response = self.client.get(path)
        assert response.status_code == 200, path
        return str(response.get_data(as_text=True))


def members(world: World) -> tuple[Member, Member]:
    """alice and bob, logged in."""
    return Member(world, "member", "alice"), Member(world, "member2", "bob")

"""Creating categories and forums, with who sees them and who moderates them.

The admin panel and ``forumapp demo`` build the forum's structure through this service.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select

from forumapp.forum.models import Category, Forum, forum_groups, forum_moderators
from forumapp.persistence import DbSession, atomic
from forumapp.users.models import Group


class ForumStructure:
    """Adds categories and forums; a new forum is visible to every group unless told."""

    def __init__(self, session: DbSession) -> None:
        self._session = session

    def create_category(self, title: str, description: str = "", position: int = 0) -> Category:
        """A new category, committed."""
        with atomic(self._session):
            return self.add_category(title, description, position)

    def add_category(self, title: str, description: str = "", position: int = 0) -> Category:
        """A new category within the caller's transaction (flushed: it has an id)."""
        category = Category(title=title, description=description, position=position)
        self._session.add(category)
        self._session.flush()
        return category

    def create_forum(
        self,
        category_id: int,
        title: str,
        description: str = "",
        *,
        position: int = 0,
        locked: bool = False,
        visible_to: Iterable[int] | None = None,
        moderators: Iterable[int] = (),
    ) -> Forum:
        """A new forum, committed; ``visible_to`` lists group ids (``None``: every group)."""
        with atomic(self._session):
            return self.add_forum(
                category_id,
                title,
                description,
                position=position,
                locked=locked,
                visible_to=visible_to,
                moderators=moderators,
            )

    def add_forum(
        self,
        category_id: int,
        title: str,
        description: str = "",
        *,
        position: int = 0,
        locked: bool = False,
        visible_to: Iterable[int] | None = None,
        moderators: Iterable[int] = (),
    ) -> Forum:
        """A new forum within the caller's transaction (flushed: it has an id)."""
        group_ids = list(visible_to) if visible_to is not None else self._all_groups()
        forum = Forum(
            category_id=category_id,
            title=title,
            description=description,
            position=position,
            locked=locked,
            topic_count=0,
            post_count=0,
        )
        self._session.add(forum)
        self._session.flush()
        if group_ids:
            self._session.execute(
                insert(forum_groups),
                [{"forum_id": forum.id, "group_id": group_id} for group_id in group_ids],
            )
        moderator_ids = list(moderators)
        if moderator_ids:
            self._session.execute(
                insert(forum_moderators),
                [{"forum_id": forum.id, "user_id": user_id} for user_id in moderator_ids],
            )
        return forum

    def _all_groups(self) -> list[int]:
        return list(self._session.scalars(select(Group.id)))

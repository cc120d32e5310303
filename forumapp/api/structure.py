"""Categories and forums in the API: everyone reads what they may see; administrators
change the structure through the management panel's own service (audit log included)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from sqlalchemy import Exists, exists, func, select

from forumapp.api import schemas
from forumapp.api.callers import Caller
from forumapp.api.links import WebLinks
from forumapp.api.pagination import Cursor, Page, keyset_page
from forumapp.api.problems import Problem
from forumapp.forum.errors import Forbidden, NotFound
from forumapp.forum.lookups import visible_forum
from forumapp.forum.models import Category, Forum, Topic
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.access import Area, may_enter
from forumapp.management.forums.services import ForumAdministration, ForumDraft, TopicDisposal
from forumapp.persistence import DbSession

AdministrationFactory = Callable[[], ForumAdministration]


def _administrator(caller: Caller) -> bool:
    return caller.user is not None and may_enter(caller.user.group, Area.FORUMS)


def _require_administrator(caller: Caller) -> None:
    if not _administrator(caller):
        raise Forbidden(_l("Only administrators can change categories and forums."))


class _AdministeredResourceService(ABC):
    """What categories and forums share: only administrators create, change and delete them."""

    def __init__(
        self, session: DbSession, administration: AdministrationFactory, links: WebLinks
    ) -> None:
        self._session = session
        self._administration = administration
        self._links = links

    @abstractmethod
    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> object:
        """One item the caller may see (:class:`NotFound` otherwise)."""

    def authorize_create(self, caller: Caller, data: object | None) -> None:
        """Administrators only."""
        _require_administrator(caller)

    def authorize_update(self, caller: Caller, item_id: int, data: object | None) -> None:
        """Administrators only; others cannot change what they may not see either."""
        self.get(caller, item_id)
        _require_administrator(caller)

    def authorize_delete(self, caller: Caller, item_id: int) -> None:
        """As :meth:`authorize_update`."""
        self.authorize_update(caller, item_id, None)


class CategoryResourceService(_AdministeredResourceService):
    """Categories that hold a forum the caller may see (administrators see all)."""

    def list(
        self, caller: Caller, query: schemas.PageQuery, cursor: Cursor
    ) -> Page[schemas.Category]:
        """Categories by id."""
        statement = select(Category)
        if not _administrator(caller):
            statement = statement.where(self._has_visible_forum(caller))
        page = keyset_page(self._session, statement, Category.id, cursor, query.limit)
        return Page([self._represent(row[0]) for row in page.items], page.next, page.prev)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> schemas.Category:
        """One category."""
        statement = select(Category).where(Category.id == item_id)
        if not _administrator(caller):
            statement = statement.where(self._has_visible_forum(caller))
        if lock:
            statement = statement.with_for_update()
        category = self._session.scalar(statement)
        if category is None:
            raise NotFound
        return self._represent(category)

    def create(self, caller: Caller, data: schemas.CategoryCreate) -> schemas.Category:
        """A new category after the others."""
        _require_administrator(caller)
        category = self._administration().create_category(
            caller.auditor, data.title, data.description
        )
        return self._represent(category)

    def update(
        self, caller: Caller, item_id: int, data: schemas.CategoryUpdate
    ) -> schemas.Category:
        """A new title or description."""
        _require_administrator(caller)
        administration = self._administration()
        category = administration.category(item_id)
        category = administration.update_category(
            caller.auditor,
            item_id,
            data.title if data.title is not None else category.title,
            data.description if data.description is not None else category.description,
        )
        return self._represent(category)

    def delete(self, caller: Caller, item_id: int) -> None:
        """Delete an empty category; one with forums is a conflict."""
        _require_administrator(caller)
        administration = self._administration()
        if administration.forums_in(administration.category(item_id).id):
            raise Problem(
                409,
                _l("The category still has forums. Move or delete them first."),
                kind="category-not-empty",
            )
        administration.delete_category(caller.auditor, item_id, None)

    def _has_visible_forum(self, caller: Caller) -> Exists:
        return exists().where(
            Forum.category_id == Category.id,
            Forum.id.in_(sorted(caller.actor.visible_forums)),
        )

    def _represent(self, category: Category) -> schemas.Category:
        return schemas.Category(
            id=category.id,
            title=category.title,
            description=category.description,
            position=category.position,
            url=self._links.category(category.id),
        )


class ForumResourceService(_AdministeredResourceService):
    """Forums the caller may see; administrators create, change and delete them."""

    def list(
        self, caller: Caller, query: schemas.ForumQuery, cursor: Cursor
    ) -> Page[schemas.Forum]:
        """Visible forums by id, optionally of one category."""
        statement = select(Forum).where(Forum.id.in_(sorted(caller.actor.visible_forums)))
        if query.category_id is not None:
            statement = statement.where(Forum.category_id == query.category_id)
        page = keyset_page(self._session, statement, Forum.id, cursor, query.limit)
        return Page([self._represent(row[0]) for row in page.items], page.next, page.prev)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> schemas.Forum:
        """One visible forum."""
        forum = visible_forum(self._session, caller.actor, item_id)
        if lock:
            self._session.execute(select(Forum.id).where(Forum.id == forum.id).with_for_update())
        return self._represent(forum)

    def create(self, caller: Caller, data: schemas.ForumCreate) -> schemas.Forum:
        """A new forum, visible to every group, without appointed moderators."""
        _require_administrator(caller)
        administration = self._administration()
        draft = ForumDraft(
            category_id=data.category_id,
            title=data.title,
            description=data.description,
            locked=data.locked,
            group_ids=frozenset(group.id for group in administration.groups()),
            moderator_names=(),
        )
        return self._represent(administration.create_forum(caller.auditor, draft))

    def update(self, caller: Caller, item_id: int, data: schemas.ForumUpdate) -> schemas.Forum:
        """Change the fields given; who sees and moderates it stays as it is."""
        _require_administrator(caller)
        administration = self._administration()
        current = administration.forum_settings(item_id)
        forum = current.forum
        draft = ForumDraft(
            category_id=data.category_id if data.category_id is not None else forum.category_id,
            title=data.title if data.title is not None else forum.title,
            description=data.description if data.description is not None else forum.description,
            locked=data.locked if data.locked is not None else forum.locked,
            group_ids=current.group_ids,
            moderator_names=tuple(current.moderator_names),
        )
        return self._represent(administration.update_forum(caller.auditor, item_id, draft))

    def delete(self, caller: Caller, item_id: int) -> None:
        """Delete a forum without topics; one with topics is a conflict."""
        _require_administrator(caller)
        administration = self._administration()
        forum = administration.forum(item_id)
        topics = self._session.scalar(
            select(func.count()).select_from(Topic).where(Topic.forum_id == forum.id)
        )
        if topics:
            raise Problem(
                409,
                _l(
                    "The forum still has topics. Move or remove them in the management panel first."
                ),
                kind="forum-not-empty",
            )
        administration.delete_forum(caller.auditor, item_id, TopicDisposal.REMOVE)

    def _represent(self, forum: Forum) -> schemas.Forum:
        return schemas.Forum(
            id=forum.id,
            category_id=forum.category_id,
            title=forum.title,
            description=forum.description,
            position=forum.position,
            locked=forum.locked,
            topic_count=forum.topic_count,
            post_count=forum.post_count,
            last_topic_id=forum.last_topic_id,
            last_post_id=forum.last_post_id,
            last_post_at=forum.last_post_at,
            url=self._links.forum(forum.id),
        )

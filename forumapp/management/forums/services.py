"""Categories and forums for administrators: create, edit, reorder and delete them,
choose who sees each forum and who moderates it.

Every change commits together with its audit entry. Deleting a forum moves its topics to
another forum or removes them, and recounts what that changes (forum counters, members'
post counts) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, func, select, update

from forumapp.forum.counters import Counters
from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.forum.models import Category, Forum, Post, Topic
from forumapp.forum.structure import ForumStructure
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.management.forums.access import ForumAccess
from forumapp.persistence import DbSession, PersistenceError, atomic
from forumapp.users.models import Group

#: Members recounted per statement after a removal, well below every driver's bind limit.
RECOUNT_BATCH = 500
CHANGED_MEANWHILE = _l("Something this change refers to was just deleted. Check and try again.")

Ordered = TypeVar("Ordered", Category, Forum)


class Direction(StrEnum):
    """Where a reorder button moves a category or forum."""

    UP = "up"
    DOWN = "down"


class TopicDisposal(StrEnum):
    """What happens to the topics of a deleted forum."""

    MOVE = "move"
    REMOVE = "remove"


@dataclass(frozen=True)
class ForumDraft:
    """A forum's settings as an administrator submits them."""

    category_id: int
    title: str
    description: str
    locked: bool
    #: Groups that may see the forum; at least one.
    group_ids: frozenset[int]
    #: Usernames of its appointed moderators, as typed.
    moderator_names: tuple[str, ...]


@dataclass(frozen=True)
class ForumEntry:
    """A forum in the structure overview, with who sees and moderates it."""

    forum: Forum
    groups: list[str]
    moderators: list[str]


@dataclass(frozen=True)
class CategoryEntry:
    """A category in the structure overview, with its forums in order."""

    category: Category
    forums: list[ForumEntry]


@dataclass(frozen=True)
class ForumSettings:
    """A forum with the groups that see it and its moderators' names (for the edit form)."""

    forum: Forum
    group_ids: frozenset[int]
    moderator_names: list[str]


class ForumAdministration:
    """Builds and rearranges the forum's structure, recording each change in the audit log."""

    def __init__(self, session: DbSession, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit
        self._access = ForumAccess(session, audit)
        self._structure = ForumStructure(session)
        self._counters = Counters(session)

    # Reading --------------------------------------------------------------------------

    def overview(self) -> list[CategoryEntry]:
        """Every category with its forums in order (four queries, whatever the size)."""
        categories = self.categories()
        forums = self._session.scalars(select(Forum).order_by(Forum.position, Forum.id)).all()
        groups = self._access.group_names_by_forum()
        moderators = self._access.moderator_names_by_forum()
        entries = {category.id: CategoryEntry(category, []) for category in categories}
        for forum in forums:
            entries[forum.category_id].forums.append(
                ForumEntry(forum, groups.get(forum.id, []), moderators.get(forum.id, []))
            )
        return list(entries.values())

    def categories(self) -> list[Category]:
        """Every category, in order."""
        return list(
            self._session.scalars(select(Category).order_by(Category.position, Category.id))
        )

    def forums(self) -> list[tuple[Forum, Category]]:
        """Every forum with its category, in the order of the index."""
        rows = self._session.execute(
            select(Forum, Category)
            .join(Category, Category.id == Forum.category_id)
            .order_by(Category.position, Category.id, Forum.position, Forum.id)
        )
        return list(rows)

    def forums_in(self, category_id: int) -> list[Forum]:
        """The forums of a category, in order."""
        return list(
            self._session.scalars(
                select(Forum)
                .where(Forum.category_id == category_id)
                .order_by(Forum.position, Forum.id)
            )
        )

    def groups(self) -> list[Group]:
        """Every group, built-in ones first."""
        return list(self._session.scalars(select(Group).order_by(Group.id)))

    def category(self, category_id: int) -> Category:
        """A category; :class:`NotFound` otherwise."""
        category = self._session.get(Category, category_id)
        if category is None:
            raise NotFound
        return category

    def forum(self, forum_id: int) -> Forum:
        """A forum; :class:`NotFound` otherwise."""
        forum = self._session.get(Forum, forum_id)
        if forum is None:
            raise NotFound
        return forum

    def forum_settings(self, forum_id: int) -> ForumSettings:
        """A forum with the groups that see it and its moderators."""
        forum = self.forum(forum_id)
        moderators = self._access.moderators(forum.id)
        return ForumSettings(forum, self._access.visible_to(forum.id), list(moderators.values()))

    # Categories -----------------------------------------------------------------------

    def create_category(self, auditor: Auditor, title: str, description: str) -> Category:
        """A new category, after the existing ones."""
        with atomic(self._session):
            category = self._structure.add_category(
                title, description, self._next_position(Category)
            )
            self._audit.record(auditor, "category.create", "category", category.id, title)
        return category

    def update_category(
        self, auditor: Auditor, category_id: int, title: str, description: str
    ) -> Category:
        """Change a category's title and description."""
        category = self.category(category_id)
        changes = _changes(category, {"title": title, "description": description})
        if changes:
            with atomic(self._session):
                category.title, category.description = title, description
                self._audit.record(
                    auditor, "category.update", "category", category.id, title, changes
                )
        return category

    def move_category(self, auditor: Auditor, category_id: int, direction: Direction) -> Category:
        """Swap a category with its neighbour above or below."""
        category = self.category(category_id)
        with atomic(self._session):
            if _reorder(self.categories(), category, direction):
                self._audit.record(
                    auditor, "category.move", "category", category.id, category.title, direction
                )
        return category

    def delete_category(
        self, auditor: Auditor, category_id: int, target_category_id: int | None
    ) -> Category:
        """Delete a category; its forums, if any, move to the end of ``target_category_id``."""
        category = self.category(category_id)
        forums = self.forums_in(category.id)
        target = self._target_category(category, target_category_id) if forums else None
        with _still_there(), atomic(self._session):
            details = "it had no forums"
            if target is not None:
                start = self._next_position(Forum, Forum.category_id == target.id)
                for offset, forum in enumerate(forums):
                    forum.category_id, forum.position = target.id, start + offset
                details = f"{len(forums)} forum(s) moved to {target.title!r} (#{target.id})"
                self._session.flush()  # before the database's cascade could take them along
            self._session.delete(category)
            self._audit.record(
                auditor, "category.delete", "category", category.id, category.title, details
            )
        return category

    # Forums ---------------------------------------------------------------------------

    def create_forum(self, auditor: Auditor, draft: ForumDraft) -> Forum:
        """A new forum at the end of its category."""
        category, moderators = self._check(draft)
        with _still_there(), atomic(self._session):
            forum = self._structure.add_forum(
                category.id,
                draft.title,
                draft.description,
                position=self._next_position(Forum, Forum.category_id == category.id),
                locked=draft.locked,
                visible_to=draft.group_ids,
                moderators=moderators,
            )
            details = (
                f"in {category.title!r}; visible to: {self._access.group_names(draft.group_ids)}; "
                f"moderators: {', '.join(moderators.values()) or 'none'}"
            )
            self._audit.record(auditor, "forum.create", "forum", forum.id, forum.title, details)
        return forum

    def update_forum(self, auditor: Auditor, forum_id: int, draft: ForumDraft) -> Forum:
        """Change a forum's settings. Who sees it and who moderates it are recorded as
        entries of their own (``forum.groups``, ``forum.moderators``)."""
        forum = self.forum(forum_id)
        category, moderators = self._check(draft)
        with _still_there(), atomic(self._session):
            self._update_fields(auditor, forum, category, draft)
            self._access.update_groups(auditor, forum, draft.group_ids)
            self._access.update_moderators(auditor, forum, moderators)
        return forum

    def move_forum(self, auditor: Auditor, forum_id: int, direction: Direction) -> Forum:
        """Swap a forum with its neighbour above or below, within its category."""
        forum = self.forum(forum_id)
        with atomic(self._session):
            if _reorder(self.forums_in(forum.category_id), forum, direction):
                self._audit.record(auditor, "forum.move", "forum", forum.id, forum.title, direction)
        return forum

    def delete_forum(
        self,
        auditor: Auditor,
        forum_id: int,
        disposal: TopicDisposal,
        target_forum_id: int | None = None,
    ) -> Forum:
        """Delete a forum, moving its topics to ``target_forum_id`` or removing them.

        Moved topics keep their posts, so members' post counts stay as they are and only
        the receiving forum is recounted. Removed topics take their posts along (the
        database cascades); the members who wrote visible posts there are recounted.
        """
        forum = self.forum(forum_id)
        target = (
            self._target_forum(forum, target_forum_id) if disposal is TopicDisposal.MOVE else None
        )
        topics = (
            self._session.scalar(
                select(func.count()).select_from(Topic).where(Topic.forum_id == forum.id)
            )
            or 0
        )
        with _still_there(), atomic(self._session):
            if target is not None:
                self._session.execute(
                    update(Topic).where(Topic.forum_id == forum.id).values(forum_id=target.id)
                )
                self._session.delete(forum)
                self._counters.recount_forum(target)
                details = f"move: {topics} topic(s) to {target.title!r} (#{target.id})"
            else:
                authors = self._visible_authors(forum.id)
                self._session.delete(forum)
                self._session.flush()
                for batch in _batches(authors, RECOUNT_BATCH):
                    self._counters.recount_users(batch)
                details = f"remove: {topics} topic(s) with their posts"
            self._audit.record(auditor, "forum.delete", "forum", forum.id, forum.title, details)
        return forum

    # Helpers --------------------------------------------------------------------------

    def _check(self, draft: ForumDraft) -> tuple[Category, dict[int, str]]:
        """Refuse a draft naming what does not exist; its category, and its moderators'
        ids and names."""
        category = self._session.get(Category, draft.category_id)
        if category is None:
            raise InvalidInput("category_id", _l("That category does not exist."))
        self._access.check_groups(draft.group_ids)
        return category, self._access.find_moderators(draft.moderator_names)

    def _update_fields(
        self, auditor: Auditor, forum: Forum, category: Category, draft: ForumDraft
    ) -> None:
        changes = _changes(
            forum, {"title": draft.title, "description": draft.description, "locked": draft.locked}
        )
        if forum.category_id != category.id:
            moved = f"category: {self.category(forum.category_id).title!r} → {category.title!r}"
            changes = f"{moved}; {changes}" if changes else moved
            forum.category_id = category.id
            forum.position = self._next_position(Forum, Forum.category_id == category.id)
        forum.title = draft.title
        forum.description = draft.description
        forum.locked = draft.locked
        if changes:
            self._audit.record(auditor, "forum.update", "forum", forum.id, forum.title, changes)

    def _target_category(self, category: Category, target_id: int | None) -> Category:
        if target_id is None:
            raise InvalidInput("target_category_id", _l("Choose the category its forums move to."))
        target = self._session.get(Category, target_id) if target_id != category.id else None
        if target is None:
            raise InvalidInput("target_category_id", _l("Choose another, existing category."))
        return target

    def _target_forum(self, forum: Forum, target_id: int | None) -> Forum:
        if target_id is None:
            raise InvalidInput("target_forum_id", _l("Choose the forum its topics move to."))
        target = self._session.get(Forum, target_id) if target_id != forum.id else None
        if target is None:
            raise InvalidInput("target_forum_id", _l("Choose another, existing forum."))
        return target

    def _next_position(
        self, model: type[Category] | type[Forum], *where: ColumnElement[bool]
    ) -> int:
        highest = self._session.scalar(select(func.max(model.position)).where(*where))
        return 0 if highest is None else highest + 1

    def _visible_authors(self, forum_id: int) -> list[int]:
        """Members with posts in the forum that count towards their post count."""
        return list(
            self._session.scalars(
                select(Post.user_id)
                .distinct()
                .join(Topic, Topic.id == Post.topic_id)
                .where(
                    Topic.forum_id == forum_id,
                    Topic.deleted.is_(False),
                    Post.deleted.is_(False),
                    Post.hidden.is_(False),
                    Post.user_id.is_not(None),
                )
            )
        )


def _reorder(items: list[Ordered], item: Ordered, direction: Direction) -> bool:
    """Swap ``item`` with its neighbour and number the list from 0; ``False`` when it is
    already first (or last). Renumbering also mends equal positions left by older data."""
    index = items.index(item)
    other = index - 1 if direction is Direction.UP else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        if each.position != position:
            each.position = position
    return True


def _changes(target: Category | Forum, values: dict[str, object]) -> str:
    """The fields that change, as the audit log shows them."""
    return "; ".join(
        f"{name}: {getattr(target, name)!r} → {value!r}"
        for name, value in values.items()
        if getattr(target, name) != value
    )


def _batches(values: list[int], size: int) -> Iterable[set[int]]:
    for start in range(0, len(values), size):
        yield set(values[start : start + size])


@contextmanager
def _still_there() -> Iterator[None]:
    # A category, forum, group or member found by the checks can be deleted by a concurrent
    # request before the commit; the foreign keys then refuse the write. Not a field's
    # fault, so the error goes to the top of the form.
    try:
        yield
    except PersistenceError as exc:
        raise InvalidInput("form", CHANGED_MEANWHILE) from exc

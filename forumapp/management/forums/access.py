"""Who sees a forum (its groups) and who moderates it (appointed members).

Used by :class:`forumapp.management.forums.ForumAdministration` inside its transactions:
nothing here commits. Changes are recorded in the audit log as ``forum.groups`` and
``forum.moderators``, apart from other settings, so they can be looked up on their own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from forumapp.forum.errors import InvalidInput
from forumapp.forum.models import Forum, forum_groups, forum_moderators
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.persistence import DbSession
from forumapp.users.models import Group, User, username_key


class ForumAccess:
    """Reads, checks and replaces the groups and moderators of forums."""

    def __init__(self, session: DbSession, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit

    # Reading --------------------------------------------------------------------------

    def visible_to(self, forum_id: int) -> frozenset[int]:
        """Ids of the groups that see the forum."""
        return frozenset(
            self._session.scalars(
                select(forum_groups.c.group_id).where(forum_groups.c.forum_id == forum_id)
            )
        )

    def moderators(self, forum_id: int) -> dict[int, str]:
        """The forum's moderators: ids and usernames, by name."""
        rows = self._session.execute(
            select(User.id, User.username)
            .join(forum_moderators, forum_moderators.c.user_id == User.id)
            .where(forum_moderators.c.forum_id == forum_id)
            .order_by(User.username_key)
        )
        return dict(rows.all())

    def group_names_by_forum(self) -> dict[int, list[str]]:
        """For every forum, the names of the groups that see it (one query)."""
        return _grouped(
            self._session.execute(
                select(forum_groups.c.forum_id, Group.name)
                .join(Group, Group.id == forum_groups.c.group_id)
                .order_by(Group.id)
            )
        )

    def moderator_names_by_forum(self) -> dict[int, list[str]]:
        """For every forum, its moderators' usernames (one query)."""
        return _grouped(
            self._session.execute(
                select(forum_moderators.c.forum_id, User.username)
                .join(User, User.id == forum_moderators.c.user_id)
                .order_by(User.username_key)
            )
        )

    def group_names(self, group_ids: Collection[int]) -> str:
        """The groups' names, for the audit log."""
        names = self._session.scalars(
            select(Group.name).where(Group.id.in_(group_ids)).order_by(Group.id)
        )
        return ", ".join(names) or "nobody"

    # Checking -------------------------------------------------------------------------

    def check_groups(self, group_ids: Collection[int]) -> None:
        """At least one group, and only groups that exist."""
        if not group_ids:
            raise InvalidInput("groups", _l("Choose at least one group."))
        known = self._session.scalar(
            select(func.count()).select_from(Group).where(Group.id.in_(group_ids))
        )
        if known != len(group_ids):
            raise InvalidInput("groups", _l("Choose among the groups listed."))

    def find_moderators(self, names: Sequence[str]) -> dict[int, str]:
        """The members called ``names`` (any case): ids and usernames. Unknown and banned
        members are refused by name."""
        keys = {username_key(name): name for name in names}
        if not keys:
            return {}
        rows = self._session.execute(
            select(User.id, User.username, User.username_key, Group.banned)
            .join(Group, Group.id == User.group_id)
            .where(User.username_key.in_(keys))
            .order_by(User.username_key)
        ).all()
        found = {row.username_key for row in rows}
        missing = [name for key, name in keys.items() if key not in found]
        if missing:
            raise InvalidInput(
                "moderators", _l("No member is called %(names)s.", names=", ".join(missing))
            )
        banned = [row.username for row in rows if row.banned]
        if banned:
            raise InvalidInput(
                "moderators",
                _l("Banned members cannot moderate: %(names)s.", names=", ".join(banned)),
            )
        return {row.id: row.username for row in rows}

    # Writing --------------------------------------------------------------------------

    def grant(self, forum_id: int, group_ids: Iterable[int], moderators: Iterable[int]) -> None:
        """Give a new forum its groups and moderators."""
        groups = [{"forum_id": forum_id, "group_id": group_id} for group_id in group_ids]
        if groups:
            self._session.execute(insert(forum_groups), groups)
        appointed = [{"forum_id": forum_id, "user_id": user_id} for user_id in moderators]
        if appointed:
            self._session.execute(insert(forum_moderators), appointed)

    def update_groups(self, auditor: Auditor, forum: Forum, group_ids: frozenset[int]) -> None:
        """Replace the groups that see the forum, when they change."""
        old = self.visible_to(forum.id)
        if group_ids == old:
            return
        details = f"visible to: {self.group_names(group_ids)} (was: {self.group_names(old)})"
        self._session.execute(delete(forum_groups).where(forum_groups.c.forum_id == forum.id))
        self.grant(forum.id, group_ids, ())
        self._audit.record(auditor, "forum.groups", "forum", forum.id, forum.title, details)

    def update_moderators(self, auditor: Auditor, forum: Forum, moderators: dict[int, str]) -> None:
        """Replace the forum's moderators, when they change."""
        old = self.moderators(forum.id)
        if moderators.keys() == old.keys():
            return
        self._session.execute(
            delete(forum_moderators).where(forum_moderators.c.forum_id == forum.id)
        )
        self.grant(forum.id, (), moderators)
        details = _appointments(old, moderators)
        self._audit.record(auditor, "forum.moderators", "forum", forum.id, forum.title, details)


def _appointments(old: dict[int, str], new: dict[int, str]) -> str:
    added = [name for user_id, name in new.items() if user_id not in old]
    removed = [name for user_id, name in old.items() if user_id not in new]
    parts = [f"appointed: {', '.join(added)}"] if added else []
    if removed:
        parts.append(f"removed: {', '.join(removed)}")
    return "; ".join(parts)


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for key, value in rows:
        grouped.setdefault(key, []).append(value)
    return grouped

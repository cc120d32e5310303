"""Permission groups: listed with their member counts, created, edited and deleted (the
members of a deleted group move to another), each change recorded in the audit log."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, insert, literal, select, update

from forumapp.auth.models import AuthSession
from forumapp.forum.errors import Forbidden, NotFound
from forumapp.forum.models import forum_groups
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.persistence import DbSession, PersistenceError, atomic
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User

#: The permission flags of a group, in the order the audit log lists them.
GROUP_FLAGS: tuple[str, ...] = (
    "admin",
    "super_mod",
    "mod",
    "banned",
    "guest",
    "posttopic",
    "postreply",
    "editpost",
    "deletepost",
    "deletetopic",
    "viewhidden",
    "makehidden",
    "mod_edituser",
    "mod_banuser",
)

#: The flag that makes a built-in group what it is: taking it away would break the
#: panel (Administrator), bans (Banned) or what visitors see (Guest).
DEFINING_FLAGS: dict[str, str] = {
    GroupKey.ADMIN: "admin",
    GroupKey.BANNED: "banned",
    GroupKey.GUEST: "guest",
}

#: The width of ``groups.name``.
NAME_MAX_LENGTH = 64
NAME_TAKEN = _l("Another group already has this name.")


def group_name_key(name: str) -> str:
    """The case-insensitive identity of a group name (``Helpers`` and ``HELPERS`` are one)."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


class InvalidGroup(Exception):
    """The change was refused; ``errors`` pairs form field names with reasons."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in errors))
        self.errors = errors


@dataclass(frozen=True)
class GroupDraft:
    """What an admin typed: a name, a description and the flags that are set."""

    name: str
    description: str
    flags: frozenset[str]

    def __post_init__(self) -> None:
        unknown = self.flags - set(GROUP_FLAGS)
        if unknown:
            raise ValueError(f"Unknown group flags: {sorted(unknown)}")


@dataclass(frozen=True)
class GroupRow:
    """A group in the management list."""

    group: Group
    members: int


@dataclass(frozen=True)
class DeletedGroup:
    """What a deletion did, for the message that confirms it."""

    name: str
    target_name: str
    members_moved: int


def flags_of(group: Group) -> frozenset[str]:
    """The flags a group has set."""
    return frozenset(flag for flag in GROUP_FLAGS if getattr(group, flag))


def describe_flags(before: frozenset[str], after: frozenset[str]) -> str:
    """``+mod, -editpost``: the flags set and cleared, in :data:`GROUP_FLAGS` order."""
    changes = [f"+{flag}" for flag in GROUP_FLAGS if flag in after - before]
    changes += [f"-{flag}" for flag in GROUP_FLAGS if flag in before - after]
    return ", ".join(changes)


class GroupAdministration:
    """Lists, creates, edits and deletes groups, recording each change in the audit log
    inside the change's own transaction."""

    def __init__(self, session: DbSession, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit

    def rows(self) -> list[GroupRow]:
        """Every group with its number of members, built-in groups first."""
        members = (
            select(User.group_id, func.count().label("members")).group_by(User.group_id).subquery()
        )
        rows = self._session.execute(
            select(Group, func.coalesce(members.c.members, 0))
            .outerjoin(members, members.c.group_id == Group.id)
            .order_by(Group.key.is_(None), Group.id)
        ).all()
        return [GroupRow(group, count) for group, count in rows]

    def get(self, group_id: int) -> Group:
        """A group by id; :class:`NotFound` otherwise."""
        group = self._session.get(Group, group_id)
        if group is None:
            raise NotFound
        return group

    def member_count(self, group_id: int) -> int:
        """How many members the group has."""
        query = select(func.count()).select_from(User).where(User.group_id == group_id)
        return self._session.scalar(query) or 0

    def move_targets(self, group_id: int) -> list[Group]:
        """The groups that can take the members of ``group_id``: any other group a
        member can log in with (not the Guest group)."""
        return list(
            self._session.scalars(
                select(Group)
                .where(Group.id != group_id, Group.guest.is_(False))
                .order_by(Group.key.is_(None), Group.id)
            )
        )

    def create(self, auditor: Auditor, draft: GroupDraft, access_from: int | None = None) -> Group:
        """A new group; it sees the forums that ``access_from`` sees (none when ``None``)."""
        self._check(draft, None)
        source = self._session.get(Group, access_from) if access_from is not None else None
        if access_from is not None and source is None:
            raise InvalidGroup([("access_from", _l("Choose an existing group."))])
        group = Group(key=None, name=draft.name, description=draft.description)
        self._apply(group, draft)
        with _name_guard(), atomic(self._session):
            self._session.add(group)
            self._session.flush()
            if source is not None:
                self._session.execute(
                    insert(forum_groups).from_select(
                        ["forum_id", "group_id"],
                        select(forum_groups.c.forum_id, literal(group.id)).where(
                            forum_groups.c.group_id == source.id
                        ),
                    )
                )
            details = f"flags: {', '.join(f for f in GROUP_FLAGS if f in draft.flags) or 'none'}"
            if source is not None:
                details += f"; forums of {source.name}"
            self._audit.record(auditor, "group.create", "group", group.id, group.name, details)
        return group

    def update(self, auditor: Auditor, group_id: int, draft: GroupDraft) -> Group:
        """Change a group's name, description and flags (a built-in group keeps its key
        and its defining flag). Gaining the banned flag logs its members out."""
        group = self.get(group_id)
        self._check(draft, group)
        self._keep_own_access(auditor, group, draft.flags)
        before = flags_of(group)
        changes = self._changes(group, draft, before)
        if not changes:
            return group
        with _name_guard(), atomic(self._session):
            self._apply(group, draft)
            if "banned" in draft.flags and "banned" not in before:
                self._end_sessions_of_members(group.id)
            elif "banned" in before and "banned" not in draft.flags:
                self._end_bans_of_members(group.id)
            self._audit.record(
                auditor, "group.update", "group", group.id, group.name, "; ".join(changes)
            )
        return group

    def delete(self, auditor: Auditor, group_id: int, target_id: int) -> DeletedGroup:
        """Delete a group made by admins; its members move to ``target_id`` (and are
        logged out when that group is a banned one)."""
        group = self.get(group_id)
        if group.key is not None:
            raise Forbidden(_l("Built-in groups cannot be deleted."))
        target = self._session.get(Group, target_id)
        if target is None or target.id == group.id or target.guest:
            raise InvalidGroup([("target_id", _l("Choose another group for the members."))])
        if self._acting_group_id(auditor) == group.id and not target.admin:
            raise InvalidGroup(
                [("target_id", _l("You are in this group: move its members to an admin group."))]
            )
        name = group.name
        with atomic(self._session):
            if target.banned and not group.banned:
                self._end_sessions_of_members(group.id)
            elif group.banned and not target.banned:
                self._end_bans_of_members(group.id)
            # Bans that would have returned members to this group return them to the
            # members' new group instead (or to Member, when that one bans).
            self._session.execute(
                update(User)
                .where(User.ban_restore_group_id == group.id)
                .values(ban_restore_group_id=None if target.banned else target.id)
            )
            moved = cast(
                CursorResult[Any],
                self._session.execute(
                    update(User).where(User.group_id == group.id).values(group_id=target.id)
                ),
            ).rowcount
            deleted = DeletedGroup(name, target.name, moved)
            self._session.execute(delete(forum_groups).where(forum_groups.c.group_id == group.id))
            self._session.delete(group)
            self._audit.record(
                auditor,
                "group.delete",
                "group",
                group_id,
                deleted.name,
                f"{deleted.members_moved} members moved to {target.name}",
            )
        return deleted

    def _check(self, draft: GroupDraft, group: Group | None) -> None:
        errors: list[tuple[str, str]] = []
        if not draft.name.strip() or len(draft.name) > NAME_MAX_LENGTH:
            errors.append(("name", _l("Use 1 to %(max)d characters.", max=NAME_MAX_LENGTH)))
        elif self._name_taken(draft.name, group.id if group else None):
            errors.append(("name", NAME_TAKEN))
        defining = DEFINING_FLAGS.get(group.key or "") if group else None
        if group and defining and defining not in draft.flags:
            errors.append(
                (defining, _l("The %(name)s group always keeps this flag.", name=group.name))
            )
        if "guest" in draft.flags and defining != "guest":
            errors.append(("guest", _l("Only the built-in Guest group stands for visitors.")))
        if errors:
            raise InvalidGroup(errors)

    def _keep_own_access(self, auditor: Auditor, group: Group, flags: frozenset[str]) -> None:
        # An admin who clears the admin flag of their own group locks themselves out.
        if group.admin and "admin" not in flags and self._acting_group_id(auditor) == group.id:
            raise InvalidGroup([("admin", _l("You are in this group: you would lose this panel."))])

    def _acting_group_id(self, auditor: Auditor) -> int | None:
        if auditor.user_id is None:
            return None
        return self._session.scalar(select(User.group_id).where(User.id == auditor.user_id))

    def _name_taken(self, name: str, except_id: int | None) -> bool:
        # Few groups exist: compare them all with the same normalization as the input.
        key = group_name_key(name)
        others = self._session.scalars(select(Group.name).where(Group.id != (except_id or 0)))
        return any(group_name_key(other) == key for other in others)

    @staticmethod
    def _changes(group: Group, draft: GroupDraft, before: frozenset[str]) -> list[str]:
        changes = []
        if draft.name != group.name:
            changes.append(f"name: {group.name} → {draft.name}")
        if draft.description != group.description:
            changes.append("description")
        if draft.flags != before:
            changes.append(f"flags: {describe_flags(before, draft.flags)}")
        return changes

    @staticmethod
    def _apply(group: Group, draft: GroupDraft) -> None:
        group.name = draft.name
        group.description = draft.description
        for flag in GROUP_FLAGS:
            setattr(group, flag, flag in draft.flags)

    def _end_sessions_of_members(self, group_id: int) -> None:
        members = select(User.id).where(User.group_id == group_id)
        self._session.execute(delete(AuthSession).where(AuthSession.user_id.in_(members)))

    def _end_bans_of_members(self, group_id: int) -> None:
        # Members who leave banning behind are no longer banned: a timed ban must not
        # later move them out of the group they are in now.
        self._session.execute(
            update(User)
            .where(User.group_id == group_id)
            .values(banned_until=None, ban_restore_group_id=None)
        )


@contextmanager
def _name_guard() -> Iterator[None]:
    # The check above can lose a race against a concurrent request with the same name:
    # the unique constraint then answers, and the person still sees a field error.
    try:
        yield
    except PersistenceError as exc:
        raise InvalidGroup([("name", NAME_TAKEN)]) from exc

"""Finding members and banning them: a ban ends every session of the account at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select

from forumapp.auth.models import AuthSession
from forumapp.forum.errors import Forbidden, NotFound
from forumapp.forum.reading import Pagination, page_count
from forumapp.management.audit import AuditLog, Auditor
from forumapp.persistence import DbSession, atomic
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User


@dataclass(frozen=True)
class UserRow:
    """A member in the management list."""

    user: User
    group: Group


@dataclass(frozen=True)
class UserPage:
    """A page of the member list."""

    rows: list[UserRow]
    pagination: Pagination
    query: str


class UserAdministration:
    """Lists members and bans or unbans them, recording each action in the audit log."""

    def __init__(self, session: DbSession, audit: AuditLog, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._audit = audit
        self._clock = clock

    def list(self, query: str, page: int, per_page: int) -> UserPage:
        """Members whose name or email contains ``query``, newest first."""
        conditions = []
        if query:
            needle = f"%{query.casefold().replace('%', '').replace('_', '')}%"
            conditions.append(or_(User.username_key.like(needle), User.email_key.like(needle)))
        total = self._session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
        page = min(max(page, 1), page_count(total, per_page))
        rows = self._session.execute(
            select(User, Group)
            .join(Group, Group.id == User.group_id)
            .where(*conditions)
            .order_by(User.date_joined.desc(), User.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return UserPage([UserRow(u, g) for u, g in rows], Pagination(page, per_page, total), query)

    def ban(self, auditor: Auditor, acting_group: Group, user_id: int, reason: str) -> User:
        """Move the member to the Banned group and end all their sessions."""
        user, group = self._target(auditor, acting_group, user_id)
        if group.banned:
            return user
        banned = self._group(GroupKey.BANNED)
        with atomic(self._session):
            user.group_id = banned.id
            self._session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
            self._audit.record(auditor, "user.ban", "user", user.id, user.username, reason)
        return user

    def unban(self, auditor: Auditor, acting_group: Group, user_id: int) -> User:
        """Return a banned member to the Member group."""
        user, group = self._target(auditor, acting_group, user_id)
        if not group.banned:
            return user
        member = self._group(GroupKey.MEMBER)
        with atomic(self._session):
            user.group_id = member.id
            self._audit.record(auditor, "user.unban", "user", user.id, user.username)
        return user

    def get(self, user_id: int) -> User:
        """A member by id; :class:`NotFound` otherwise."""
        user = self._session.get(User, user_id)
        if user is None:
            raise NotFound
        return user

    def _target(self, auditor: Auditor, acting_group: Group, user_id: int) -> tuple[User, Group]:
        row = self._session.execute(
            select(User, Group).join(Group, Group.id == User.group_id).where(User.id == user_id)
        ).first()
        if row is None:
            raise NotFound
        user, group = row
        if user.id == auditor.user_id:
            raise Forbidden("You cannot ban or unban yourself.")
        staff = group.admin or group.super_mod or group.mod
        if not acting_group.admin and staff:
            raise Forbidden("Only administrators can ban or unban staff.")
        return user, group

    def _group(self, key: GroupKey) -> Group:
        group: Group | None = self._session.scalar(select(Group).where(Group.key == key))
        if group is None:
            raise LookupError(f"The built-in {key} group is missing; run `forumapp db upgrade`.")
        return group

"""Finding members and banning them: a ban ends every session of the account at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update

from forumapp.auth.models import AuthSession
from forumapp.events import NO_EVENTS, Events, MemberBanned
from forumapp.forum.authorship import release_posts
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.reading import Pagination, page_count
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.messages.authorship import release_messages
from forumapp.persistence import DbSession, atomic
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User, email_key, username_key

#: The audit log's name for what forumapp does by itself.
SYSTEM = Auditor(None, "forumapp", "")


@dataclass(frozen=True)
class AccountChanges:
    """The editable fields of an account."""

    username: str
    email: str
    group_id: int
    activated: bool


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


def staff_group(group: Group) -> bool:
    """Whether a group's members are staff (administrators or moderators)."""
    return group.admin or group.super_mod or group.mod


class UserAdministration:
    """Lists members and bans or unbans them, recording each action in the audit log."""

    def __init__(
        self,
        session: DbSession,
        audit: AuditLog,
        clock: Callable[[], datetime],
        events: Events = NO_EVENTS,
    ) -> None:
        self._session = session
        self._audit = audit
        self._clock = clock
        self._events = events

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

    def ban(
        self,
        auditor: Auditor,
        acting_group: Group,
        user_id: int,
        reason: str,
        until: datetime | None = None,
    ) -> User:
        """Move the member to the Banned group, until a moment or for good, and end all
        their sessions. The ban remembers the member's group, which they return to when
        it ends; banning a banned member again changes only when the ban ends."""
        user, group = self._target(auditor, acting_group, user_id)
        if until is not None and until <= self._clock():
            raise InvalidInput("until", _l("Choose a date in the future, or none."))
        banned = self._group(GroupKey.BANNED)
        with atomic(self._session):
            if not group.banned:
                user.ban_restore_group_id = group.id
                self._session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
            user.group_id = banned.id
            user.banned_until = until
            restore = self.restore_group(user)
            details = f"until {until:%Y-%m-%d}" if until else "permanent"
            self._audit.record(
                auditor,
                "user.ban",
                "user",
                user.id,
                user.username,
                f"{details}, then back to {restore.name}; {reason}".strip("; "),
            )
        self._events.member_banned(MemberBanned(user.id, user.username, until, auditor.username))
        return user

    def lift_expired_bans(self) -> int:
        """Return members whose temporary ban has ended to the group they were banned
        from. Several workers may run this at once: each ban is lifted exactly once."""
        now = self._clock()
        expired = self._session.execute(
            select(User.id, User.username, User.ban_restore_group_id, Group.banned)
            .join(Group, Group.id == User.group_id)
            .where(User.banned_until <= now)
        ).all()
        if not expired:
            return 0
        lifted = 0
        with atomic(self._session):
            for user_id, username, restore_id, in_banned_group in expired:
                values: dict[str, object] = {"banned_until": None, "ban_restore_group_id": None}
                details = "the member is no longer in a banned group"
                if in_banned_group:
                    restore = self._restore_group_by_id(restore_id)
                    values["group_id"] = restore.id
                    details = f"back to {restore.name}"
                result = self._session.execute(
                    update(User)
                    .where(User.id == user_id, User.banned_until <= now)
                    .values(**values)
                )
                if cast(CursorResult[Any], result).rowcount == 1:
                    lifted += 1
                    self._audit.record(
                        SYSTEM, "user.ban_expired", "user", user_id, username, details
                    )
        return lifted

    def unban(self, auditor: Auditor, acting_group: Group, user_id: int) -> User:
        """Return a banned member to the group they were banned from."""
        user, group = self._target(auditor, acting_group, user_id)
        if not group.banned:
            return user
        restore = self.restore_group(user)
        with atomic(self._session):
            user.group_id = restore.id
            user.banned_until = None
            user.ban_restore_group_id = None
            self._audit.record(
                auditor, "user.unban", "user", user.id, user.username, f"back to {restore.name}"
            )
        return user

    def restore_group(self, user: User) -> Group:
        """The group a banned member returns to: the one they were banned from, or
        Member when that is unknown, deleted or itself a banned group."""
        return self._restore_group_by_id(user.ban_restore_group_id)

    def _restore_group_by_id(self, group_id: int | None) -> Group:
        group = self._session.get(Group, group_id) if group_id is not None else None
        if group is None or group.banned or group.guest:
            return self._group(GroupKey.MEMBER)
        return group

    def edit(
        self, auditor: Auditor, acting_group: Group, user_id: int, changes: AccountChanges
    ) -> User:
        """Change a member's name, email, group and activation; only admins touch staff or
        make someone staff, and nobody changes their own group."""
        user, group = self._target(auditor, acting_group, user_id, allow_self=True, staff_ok=True)
        new_group = self._session.get(Group, changes.group_id)
        if new_group is None:
            raise InvalidInput("group_id", _l("Choose an existing group."))
        if not acting_group.admin:
            if not (acting_group.mod_edituser and (acting_group.mod or acting_group.super_mod)):
                raise Forbidden(_l("Only administrators can edit members."))
            if staff_group(group):
                raise Forbidden(_l("Only administrators can edit staff."))
            if new_group.id != group.id:
                raise InvalidInput(
                    "group_id", _l("Only administrators can change a member's group.")
                )
        if user.id == auditor.user_id and new_group.id != group.id:
            raise InvalidInput("group_id", _l("You cannot change your own group."))
        taken = self._session.scalar(
            select(User.id).where(
                User.id != user.id,
                or_(
                    User.username_key == username_key(changes.username),
                    User.email_key == email_key(changes.email),
                ),
            )
        )
        if taken is not None:
            raise InvalidInput(
                "username", _l("Another account already uses this username or email.")
            )
        before = (user.username, user.email, group.name, user.activated)
        with atomic(self._session):
            user.username, user.username_key = changes.username, username_key(changes.username)
            user.email, user.email_key = changes.email, email_key(changes.email)
            user.group_id = new_group.id
            user.activated = changes.activated
            ban_change = self._compose_ban(user, group, new_group)
            after = (changes.username, changes.email, new_group.name, changes.activated)
            summary = ", ".join(
                [
                    f"{name}: {old} → {new}"
                    for name, old, new in zip(
                        ("name", "email", "group", "activated"), before, after, strict=True
                    )
                    if old != new
                ]
                + ([ban_change] if ban_change else [])
            )
            self._audit.record(auditor, "user.update", "user", user.id, user.username, summary)
        return user

    def _compose_ban(self, user: User, old: Group, new: Group) -> str:
        """Keep a ban consistent with a group change made in the edit form; say what
        happened to the ban for the audit log ("" when nothing did)."""
        if old.id == new.id or old.banned == new.banned:
            # Between two banned groups the ban keeps its end and the group to return to.
            return ""
        if old.banned:
            # Moving a banned member to another group ends the ban: a timed ban must not
            # later "restore" a group over the one chosen here.
            ended = f"until {user.banned_until:%Y-%m-%d}" if user.banned_until else "permanent"
            user.banned_until = None
            user.ban_restore_group_id = None
            return f"ban ({ended}) ended by the group change"
        user.ban_restore_group_id = old.id
        user.banned_until = None
        self._session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
        return f"banned by the group change, then back to {old.name} when unbanned"

    def delete(self, auditor: Auditor, acting_group: Group, user_id: int, keep_posts: bool) -> str:
        """Delete an account. Its posts stay under "deleted user", or are deleted too."""
        user, _ = self._target(auditor, acting_group, user_id)
        if not acting_group.admin:
            raise Forbidden(_l("Only administrators can delete members."))
        name = user.username
        with atomic(self._session):
            release_posts(self._session, user.id, keep_posts=keep_posts)
            release_messages(self._session, user.id)
            self._session.execute(delete(User).where(User.id == user.id))
            self._audit.record(
                auditor,
                "user.delete",
                "user",
                user_id,
                name,
                "posts kept as deleted user" if keep_posts else "posts deleted",
            )
        return name

    def audit(self, auditor: Auditor, action: str, user: User) -> None:
        """Record an action taken through another service (emails sent for the member)."""
        with atomic(self._session):
            self._audit.record(auditor, action, "user", user.id, user.username)

    def groups(self) -> Sequence[Group]:
        """Every group a member can be put in, in the order they were made."""
        return list(self._session.scalars(select(Group).order_by(Group.id)))

    def editable(self, acting_group: Group, user_id: int) -> User:
        """A member whose account the acting group may edit: anyone for admins, members
        who are not staff for moderators (:class:`Forbidden` otherwise)."""
        user = self.get(user_id)
        if not acting_group.admin and staff_group(user.group):
            raise Forbidden(_l("Only administrators can edit staff."))
        return user

    def get(self, user_id: int) -> User:
        """A member by id; :class:`NotFound` otherwise."""
        user = self._session.get(User, user_id)
        if user is None:
            raise NotFound
        return user

    def _target(
        self,
        auditor: Auditor,
        acting_group: Group,
        user_id: int,
        *,
        allow_self: bool = False,
        staff_ok: bool = False,
    ) -> tuple[User, Group]:
        row = self._session.execute(
            select(User, Group).join(Group, Group.id == User.group_id).where(User.id == user_id)
        ).first()
        if row is None:
            raise NotFound
        user, group = row
        if user.id == auditor.user_id and not allow_self:
            raise Forbidden(_l("You cannot do this to your own account."))
        if not (acting_group.admin or staff_ok) and staff_group(group):
            raise Forbidden(_l("Only administrators can ban or unban staff."))
        return user, group

    def _group(self, key: GroupKey) -> Group:
        group: Group | None = self._session.scalar(select(Group).where(Group.key == key))
        if group is None:
            raise LookupError(f"The built-in {key} group is missing; run `forumapp db upgrade`.")
        return group

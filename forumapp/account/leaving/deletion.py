"""``AccountDeleter``: a member deletes their own account.

Everything goes in one transaction: the posts are kept under a neutral name or deleted
(:func:`forumapp.forum.authorship.release_posts`, the code the management panel uses),
login sessions and API tokens end, reading state goes, and the audit log records who
left. Reports the member filed stay in the moderators' queue, anonymous (the database
clears ``reporter_id``); reports about the member's posts stay too, since deleted posts
remain visible to moderators. Only then does the goodbye email go out.

The username becomes free again once the row is gone. Keeping it reserved would mean
keeping a list of the names of people who asked to be forgotten, and there is nothing
for a newcomer with the same name to take over: the posts are shown as written by
"deleted user", and sessions, tokens and messages went with the account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, select

from forumapp.api.models import ApiToken
from forumapp.auth.agents import notice_for
from forumapp.auth.models import AuthSession
from forumapp.auth.ports import ClientInfo, Notice
from forumapp.forum.authorship import DELETED_USER, release_posts
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.models import ForumRead, TopicRead
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.messages.authorship import release_messages
from forumapp.persistence import DbSession, atomic
from forumapp.users.models import Group, User, username_key

WRONG_CONFIRMATION = _l("Type your username exactly as shown to confirm.")
POSTS_MUST_STAY = _l("This forum keeps the posts of deleted accounts; choose to keep them.")
LAST_ADMIN = _l(
    "You are the forum's only administrator. Make another member an administrator "
    "before you delete your account."
)


@dataclass(frozen=True)
class Departing:
    """The member an email says goodbye to (the account no longer exists by then), and
    when and from which browser the account was deleted."""

    username: str
    email: str
    notice: Notice
    #: The member's time zone, for the notice's time (``None``: UTC only).
    timezone: str | None = None
    #: The member's language preference: the email is written in it.
    language: str = ""


class GoodbyeMailer(Protocol):
    """Sends the notice that an account was deleted."""

    def send_goodbye(self, member: Departing, *, posts_removed: bool) -> None: ...


@dataclass(frozen=True)
class DeletionSettings:
    """What the site allows: ``ACCOUNT_DELETE_POSTS_ALLOWED``."""

    posts_removal_allowed: bool


@dataclass(frozen=True)
class DeletionRequest:
    """What the member submitted: their username typed out, and the fate of their posts."""

    confirmation: str
    remove_posts: bool


@dataclass(frozen=True)
class DeletedAccount:
    """What was deleted, for the page that says goodbye."""

    username: str
    posts_removed: bool


class AccountDeleter:
    """Deletes the acting member's own account; see the module docstring for what goes."""

    def __init__(
        self,
        session: DbSession,
        audit: AuditLog,
        mailer: GoodbyeMailer,
        settings: DeletionSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self._session = session
        self._audit = audit
        self._mailer = mailer
        self._settings = settings
        self._clock = clock

    @property
    def posts_removal_allowed(self) -> bool:
        """Whether members may have their posts deleted with their account."""
        return self._settings.posts_removal_allowed

    def delete(
        self, member: Auditor, request: DeletionRequest, *, client: ClientInfo
    ) -> DeletedAccount:
        """Delete ``member``'s account (the member is the actor the audit log names) from
        the browser ``client``.

        :class:`InvalidInput` for a wrong confirmation or a removal the site does not
        allow, :class:`Forbidden` for the last administrator, :class:`NotFound` when
        the account is already gone.
        """
        user = self._session.get(User, member.user_id)
        if user is None:
            raise NotFound
        if username_key(request.confirmation) != user.username_key:
            raise InvalidInput("confirmation", WRONG_CONFIRMATION)
        if request.remove_posts and not self.posts_removal_allowed:
            raise InvalidInput("posts", POSTS_MUST_STAY)
        departing = Departing(
            user.username,
            user.email,
            notice_for(client, self._clock()),
            user.timezone,
            user.language,
        )
        with atomic(self._session):
            if user.group.admin and self._other_admins(user.id) == 0:
                raise Forbidden(LAST_ADMIN)
            release_posts(self._session, user.id, keep_posts=not request.remove_posts)
            release_messages(self._session, user.id)
            for model in (AuthSession, ApiToken, TopicRead, ForumRead):
                self._session.execute(delete(model).where(model.user_id == user.id))
            self._audit.record(
                member,
                "account.delete",
                "user",
                user.id,
                user.username,
                "posts deleted" if request.remove_posts else f"posts kept as {DELETED_USER}",
            )
            self._session.execute(delete(User).where(User.id == user.id))
        self._mailer.send_goodbye(departing, posts_removed=request.remove_posts)
        return DeletedAccount(departing.username, request.remove_posts)

    def _other_admins(self, user_id: int) -> int:
        # Locked until the commit (on PostgreSQL): two admins deleting themselves at once
        # must not both see the other one and leave the forum without an administrator.
        # On SQLite the slower one read before the other's commit, so its first write
        # fails (a stale snapshot may not write) and it saves nothing.
        others = self._session.scalars(
            select(User.id)
            .join(Group, Group.id == User.group_id)
            .where(Group.admin.is_(True), User.id != user_id)
            .with_for_update(of=User)
        ).all()
        return len(others)

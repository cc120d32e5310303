"""Members in the API: public profile fields only, as their profile pages show them."""

from __future__ import annotations

from sqlalchemy import select

from forumapp.api import schemas
from forumapp.api.callers import Caller
from forumapp.api.links import WebLinks
from forumapp.api.pagination import Cursor, Page, keyset_page
from forumapp.api.problems import Problem
from forumapp.forum.errors import NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession
from forumapp.users.models import Group, User


class MemberResourceService:
    """Activated members, by id; accounts are created by registering on the site."""

    def __init__(self, session: DbSession, links: WebLinks) -> None:
        self._session = session
        self._links = links

    def list(self, caller: Caller, query: schemas.PageQuery, cursor: Cursor) -> Page[schemas.User]:
        """Members by id, oldest account first."""
        statement = (
            select(User.id, User.username, Group.name, User.date_joined, User.post_count)
            .join(Group, Group.id == User.group_id)
            .where(User.activated.is_(True))
        )
        page = keyset_page(self._session, statement, User.id, cursor, query.limit)
        return Page([self._represent(*row) for row in page.items], page.next, page.prev)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> schemas.User:
        """One member's public profile."""
        row = self._session.execute(
            select(User.id, User.username, Group.name, User.date_joined, User.post_count)
            .join(Group, Group.id == User.group_id)
            .where(User.id == item_id, User.activated.is_(True))
        ).first()
        if row is None:
            raise NotFound
        return self._represent(*row)

    def authorize_create(self, caller: Caller, data: object) -> None:
        """Not offered (see :meth:`create`)."""
        self.create(caller, data)

    def authorize_update(self, caller: Caller, item_id: int, data: object) -> None:
        """Not offered (see :meth:`update`)."""
        self.update(caller, item_id, data)

    def authorize_delete(self, caller: Caller, item_id: int) -> None:
        """Not offered (see :meth:`delete`)."""
        self.delete(caller, item_id)

    def create(self, caller: Caller, data: object) -> schemas.User:
        """Not offered: accounts come from registration, with its email check."""
        raise Problem(405, _l("Register on the site to create an account."))

    def update(self, caller: Caller, item_id: int, data: object) -> schemas.User:
        """Not offered: members change their accounts on the site."""
        raise Problem(405, _l("Change accounts on the site."))

    def delete(self, caller: Caller, item_id: int) -> None:
        """Not offered: accounts are deleted by administrators in the management panel."""
        raise Problem(405, _l("Accounts are deleted in the management panel."))

    def _represent(
        self, user_id: int, username: str, group: str, joined: object, post_count: int
    ) -> schemas.User:
        return schemas.User.model_validate(
            {
                "id": user_id,
                "username": username,
                "group": group,
                "joined": joined,
                "post_count": post_count,
                "url": self._links.profile(username),
            }
        )

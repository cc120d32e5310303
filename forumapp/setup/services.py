"""The first-run setup: the first administrator and the site's name, in one step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import Auditor
from forumapp.management.settings.store import EDITABLE_KEYS
from forumapp.persistence import DbSession, PersistenceError, atomic
from forumapp.users.models import User
from forumapp.users.services import AccountError


class AdminAccountsPort(Protocol):
    """What setup needs of :class:`forumapp.users.services.AdminAccounts`."""

    def has_admin(self) -> bool: ...

    def new_admin(self, username: str, email: str, password: str) -> User: ...


class SetupCode(Protocol):
    """What setup needs of :class:`forumapp.setup.codes.SetupCodeFile`."""

    def pending(self) -> bool: ...

    def matches(self, code: str) -> bool: ...

    def claim(self) -> bool: ...

    def restore(self, code: str) -> None: ...


class SiteSettingsWriter(Protocol):
    """What setup needs of :class:`forumapp.management.settings.store.SettingsStore`."""

    def stage(
        self, auditor: Auditor, current: Mapping[str, Any], values: Mapping[str, Any]
    ) -> list[str]: ...


TAKEN = _l("An account with this username or email address already exists.")


class WrongSetupCode(Exception):
    """The code typed is not the one printed on the console."""


@dataclass(frozen=True)
class SetupRequest:
    """What the setup form asks for, and where the request came from (for the audit log)."""

    code: str
    site_name: str
    username: str
    email: str
    password: str
    ip_address: str


class FirstRunSetup:
    """Creates the first administrator and names the site, while no administrator exists
    and a setup code is pending; the code is single-use."""

    def __init__(
        self,
        session: DbSession,
        accounts: AdminAccountsPort,
        code: SetupCode,
        settings: SiteSettingsWriter,
    ) -> None:
        self._session = session
        self._accounts = accounts
        self._code = code
        self._settings = settings

    def ensure_open(self) -> None:
        """Raise :class:`NotFound` unless the setup page is open: a code is pending and no
        administrator exists (checked only when the page is asked for)."""
        if not self._code.pending() or self._accounts.has_admin():
            raise NotFound()

    def complete(self, request: SetupRequest, current_site_name: str) -> User:
        """Create the administrator and save the site name in one transaction.

        Raises :class:`NotFound` once setup is over (or another submission won the race
        for the code), :class:`WrongSetupCode`, or :class:`InvalidInput` for a field.
        """
        self.ensure_open()
        if not self._code.matches(request.code):
            raise WrongSetupCode()
        try:
            user = self._accounts.new_admin(request.username, request.email, request.password)
        except AccountError as exc:
            raise InvalidInput(exc.field or "username", str(exc)) from exc
        site_name_problem = EDITABLE_KEYS["SITE_NAME"].check(request.site_name)
        if site_name_problem:
            raise InvalidInput("site_name", site_name_problem)
        # Of simultaneous submissions with the right code, exactly one gets past here.
        if not self._code.claim():
            raise NotFound()
        try:
            with atomic(self._session):
                self._session.add(user)
                self._session.flush()
                auditor = Auditor(user.id, user.username, request.ip_address)
                self._settings.stage(
                    auditor, {"SITE_NAME": current_site_name}, {"SITE_NAME": request.site_name}
                )
        except PersistenceError as exc:
            # Someone registered the same name or address since it was checked.
            self._code.restore(request.code)
            raise InvalidInput("username", TAKEN) from exc
        except BaseException:
            # Nothing was saved: the owner may try again with the same code.
            self._code.restore(request.code)
            raise
        return user

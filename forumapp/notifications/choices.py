"""A member's notification settings: the email mode of each kind and which topics they
watch by themselves (``/settings/notifications``), and the one-click unsubscribe."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from forumapp.account.members import member
from forumapp.notifications.kinds import DEFAULT_EMAIL, EmailMode, Kind
from forumapp.notifications.models import EmailChoice
from forumapp.notifications.watching import AutoWatch, WatchService
from forumapp.persistence import DbSession, atomic, upsert
from forumapp.users.models import User


@dataclass(frozen=True)
class NotificationChoices:
    """Everything the settings page shows and saves."""

    email: Mapping[Kind, EmailMode]
    auto_watch: AutoWatch


class ChoicesService:
    """Reads and saves a member's notification settings, given by id."""

    def __init__(self, session: DbSession) -> None:
        self._session = session
        self._watching = WatchService(session)

    def choices_of(self, user_id: int) -> NotificationChoices:
        """The member's settings, the defaults where they chose nothing."""
        member(self._session, user_id)
        chosen = {
            row.kind: row.mode
            for row in self._session.scalars(
                select(EmailChoice).where(EmailChoice.user_id == user_id)
            )
        }
        email = {
            kind: EmailMode(chosen[kind]) if chosen.get(kind) in _MODES else default
            for kind, default in DEFAULT_EMAIL.items()
        }
        return NotificationChoices(email, self._watching.auto_watch_of(user_id))

    def save(self, user_id: int, choices: NotificationChoices) -> None:
        """Store the member's settings in one transaction."""
        member(self._session, user_id)
        with atomic(self._session):
            self._set_modes(user_id, choices.email.items())
            self._watching.stage_auto_watch(user_id, choices.auto_watch)

    def turn_off(self, user_id: int, kinds: Iterable[Kind]) -> None:
        """Stop the email of ``kinds`` for the member (the unsubscribe links); a member
        who no longer exists has nothing to turn off."""
        if self._session.get(User, user_id) is None:
            return
        with atomic(self._session):
            self._set_modes(user_id, ((kind, EmailMode.NEVER) for kind in kinds))

    def _set_modes(self, user_id: int, modes: Iterable[tuple[Kind, EmailMode]]) -> None:
        for kind, mode in modes:
            upsert(
                self._session,
                EmailChoice,
                {"user_id": user_id, "kind": kind.value, "mode": mode.value},
                conflict=["user_id", "kind"],
                update=lambda new: {"mode": new.mode},
            )


_MODES = frozenset(mode.value for mode in EmailMode)

"""Site settings edited in the panel: stored in the database, validated, and applied to
every worker without a restart.

Each worker compares a revision number at most every ``SETTINGS_CHECK_SECONDS`` and
reloads the settings when another worker (or itself) saved new ones.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.config_rules import control_character_problem, rate_limit_problem
from forumapp.extensions import db
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.persistence import DbSession, atomic, upsert
from forumapp.sqltypes import UTCDateTime

log = logging.getLogger(__name__)


class SiteSetting(db.Model):  # type: ignore[name-defined,misc]
    """One setting's value, as JSON."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SettingsRevision(db.Model):  # type: ignore[name-defined,misc]
    """A single row whose number grows with every save: the workers' cue to reload."""

    __tablename__ = "settings_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Setting:
    """An editable setting: its config key, label, type and limits."""

    key: str
    label: str
    kind: type
    minimum: int = 0
    maximum: int = 0
    help: str = ""

    def check(self, value: Any) -> str | None:
        """Why ``value`` is refused, or ``None``."""
        if self.kind is bool:
            return None if isinstance(value, bool) else str(_("Choose yes or no."))
        if self.kind is int:
            if not isinstance(value, int) or not self.minimum <= value <= self.maximum:
                return str(
                    _(
                        "Enter a number from %(minimum)d to %(maximum)d.",
                        minimum=self.minimum,
                        maximum=self.maximum,
                    )
                )
            return None
        if not isinstance(value, str) or not self.minimum <= len(value) <= self.maximum:
            return str(
                _(
                    "Use %(minimum)d to %(maximum)d characters.",
                    minimum=self.minimum,
                    maximum=self.maximum,
                )
            )
        if control_character_problem(value):
            return str(_("Remove the control characters (line breaks, tabs...) from this setting."))
        if self.key.endswith("_LIMIT") and rate_limit_problem(value):
            return str(
                _('Write a rate limit such as "10 per minute" or "100 per hour" (at least 1).')
            )
        return None


EDITABLE: tuple[Setting, ...] = (
    Setting("SITE_NAME", _l("Site name"), str, 1, 60),
    Setting("SITE_DESCRIPTION", _l("Site description"), str, 0, 300),
    Setting("REGISTRATION_ENABLED", _l("Registration is open"), bool),
    Setting("ACCOUNT_ACTIVATION_REQUIRED", _l("New accounts confirm their email"), bool),
    Setting("TOPICS_PER_PAGE", _l("Topics per page"), int, 5, 100),
    Setting("POSTS_PER_PAGE", _l("Posts per page"), int, 5, 100),
    Setting("SIGNATURES_ENABLED", _l("Members' signatures are shown under their posts"), bool),
    Setting("AUTH_LOGIN_LIMIT", _l("Failed logins per client"), str, 1, 50),
    Setting("AUTH_REGISTER_LIMIT", _l("Registrations per client"), str, 1, 50),
    Setting("FORUM_POST_LIMIT", _l("Posts per member"), str, 1, 50),
    Setting(
        "ACCOUNT_DELETE_POSTS_ALLOWED",
        _l("Members may delete their posts with their account"),
        bool,
    ),
    Setting("TWO_FACTOR_REQUIRED_FOR_STAFF", _l("Staff must use two-factor login"), bool),
    Setting(
        "MESSAGES_MIN_POSTS",
        _l("Posts a member needs to start private conversations"),
        int,
        0,
        10000,
    ),
    Setting(
        "MESSAGES_MIN_ACCOUNT_DAYS",
        _l("Days of membership needed to start private conversations"),
        int,
        0,
        3650,
    ),
)
EDITABLE_KEYS = {setting.key: setting for setting in EDITABLE}


class SettingsError(Exception):
    """Some values were refused: ``problems`` maps config keys to reasons."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


class SettingsStore:
    """Reads and saves the site settings, recording each save in the audit log."""

    def __init__(self, session: DbSession, audit: AuditLog, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._audit = audit
        self._clock = clock

    def revision(self) -> int:
        """The current revision (0 before the first save)."""
        return self._session.scalar(select(SettingsRevision.revision)) or 0

    def stored(self) -> dict[str, Any]:
        """The saved values, by config key."""
        rows = self._session.execute(select(SiteSetting.key, SiteSetting.value)).all()
        return {key: json.loads(value) for key, value in rows if key in EDITABLE_KEYS}

    def save(
        self, auditor: Auditor, current: Mapping[str, Any], values: Mapping[str, Any]
    ) -> list[str]:
        """Validate and store ``values``; returns the keys that changed."""
        with atomic(self._session):
            return self.stage(auditor, current, values)

    def stage(
        self, auditor: Auditor, current: Mapping[str, Any], values: Mapping[str, Any]
    ) -> list[str]:
        """Validate and write ``values`` in the caller's transaction (the caller commits);
        returns the keys that changed."""
        problems: dict[str, str] = {}
        for key, value in values.items():
            setting = EDITABLE_KEYS.get(key)
            reason = setting.check(value) if setting else _l("Not an editable setting.")
            if reason:
                problems[key] = reason
        if problems:
            raise SettingsError(problems)
        changed = [key for key, value in values.items() if current.get(key) != value]
        if not changed:
            return []
        now = self._clock()
        for key in changed:
            upsert(
                self._session,
                SiteSetting,
                {"key": key, "value": json.dumps(values[key]), "updated_at": now},
                conflict=("key",),
                update=lambda new: {"value": new.value, "updated_at": new.updated_at},
            )
        self._session.execute(
            update(SettingsRevision)
            .where(SettingsRevision.id == 1)
            .values(revision=SettingsRevision.revision + 1)
        )
        summary = ", ".join(f"{key}: {current.get(key)!r} → {values[key]!r}" for key in changed)
        self._audit.record(auditor, "settings.update", "settings", None, "site settings", summary)
        return changed


class BanLifter(Protocol):
    """Lifts temporary bans that have run out."""

    def lift_expired_bans(self) -> int: ...


class LiveSettings:
    """Keeps one worker's ``app.config`` in step with the stored settings, and lifts
    expired temporary bans, both at most every ``SETTINGS_CHECK_SECONDS``."""

    def __init__(
        self,
        store_factory: Callable[[], SettingsStore],
        bans_factory: Callable[[], BanLifter] | None = None,
    ) -> None:
        self._store_factory = store_factory
        self._bans_factory = bans_factory
        self._seen: int | None = None
        self._checked_at = float("-inf")

    def refresh(self) -> None:
        """Reload the settings when their revision moved (checked at most every few seconds)."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        now = time.monotonic()
        if now - self._checked_at < app.config["SETTINGS_CHECK_SECONDS"]:
            return
        self._checked_at = now
        store = self._store_factory()
        try:
            revision = store.revision()
        except (OperationalError, ProgrammingError):
            # No settings table yet: the schema is older than this code. The built-in and
            # configured values stand until `forumapp db upgrade` runs.
            db.session.rollback()
            log.warning("Site settings unavailable: run `forumapp db upgrade`.")
            return
        if revision != self._seen:
            self._apply(app, store.stored())
            self._seen = revision
        if self._bans_factory is not None:
            self._bans_factory().lift_expired_bans()

    def _apply(self, app: Flask, stored: Mapping[str, Any]) -> None:
        # Values saved before a rule existed (a "0 per minute" limit, a line break in the
        # site name) are left out, so that the configured value stands instead.
        for key, value in stored.items():
            reason = EDITABLE_KEYS[key].check(value)
            if reason:
                log.warning("Ignoring the stored site setting %s=%r: %s", key, value, reason)
            else:
                app.config[key] = value

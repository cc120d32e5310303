"""What administrators chose about plugins and themes, shared by every worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime


class PluginState(db.Model):  # type: ignore[name-defined,misc]
    """Whether an installed plugin runs, and the error that disabled it, if any."""

    __tablename__ = "plugin_states"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Why the plugin was disabled by forumapp itself (it raised); empty otherwise.
    error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PluginSettingValue(db.Model):  # type: ignore[name-defined,misc]
    """One plugin setting's saved value, as JSON."""

    __tablename__ = "plugin_settings"

    plugin: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExtensionsState(db.Model):  # type: ignore[name-defined,misc]
    """A single row: the active theme, and a number that grows with every change to
    plugins, their settings or the theme (the workers' cue to reload them)."""

    __tablename__ = "extensions_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    #: The active theme's name; ``None`` for the default look.
    theme: Mapped[str | None] = mapped_column(String(64))

"""User and group models."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime, utcnow

USERNAME_MAX_LENGTH = 32
EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MAX_LENGTH = 64
LOCATION_MAX_LENGTH = 64
WEBSITE_MAX_LENGTH = 200
TIMEZONE_MAX_LENGTH = 64
#: ASCII only, so that look-alike letters from other scripts cannot imitate a member.
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def username_key(username: str) -> str:
    """The case-insensitive identity of a username (``Alice`` and ``alice`` are one)."""
    return unicodedata.normalize("NFKC", username).casefold().strip()


def email_key(email: str) -> str:
    """The case-insensitive identity of an email address."""
    return unicodedata.normalize("NFKC", email).casefold().strip()


class Group(db.Model):  # type: ignore[name-defined,misc]
    """A set of permission flags shared by its members (FlaskBB's group model)."""

    __tablename__ = "groups"
    # Ids are never reused, on SQLite too (migration 0012).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable identifier of a built-in group; ``None`` for groups made by admins.
    key: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    super_mod: Mapped[bool] = mapped_column(Boolean, default=False)
    mod: Mapped[bool] = mapped_column(Boolean, default=False)
    banned: Mapped[bool] = mapped_column(Boolean, default=False)
    guest: Mapped[bool] = mapped_column(Boolean, default=False)
    mod_edituser: Mapped[bool] = mapped_column(Boolean, default=False)
    mod_banuser: Mapped[bool] = mapped_column(Boolean, default=False)
    editpost: Mapped[bool] = mapped_column(Boolean, default=True)
    deletepost: Mapped[bool] = mapped_column(Boolean, default=False)
    deletetopic: Mapped[bool] = mapped_column(Boolean, default=False)
    posttopic: Mapped[bool] = mapped_column(Boolean, default=True)
    postreply: Mapped[bool] = mapped_column(Boolean, default=True)
    viewhidden: Mapped[bool] = mapped_column(Boolean, default=False)
    makehidden: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<Group {self.name!r}>"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A registered member. Flask-Login identifies it by its current login session."""

    __tablename__ = "users"
    # Ids are never reused, on SQLite too (migration 0012).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH))
    username_key: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    email_key: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    #: Wide enough for any Argon2 or scrypt encoding, including large salts.
    password_hash: Mapped[str] = mapped_column(String(512))
    activated: Mapped[bool] = mapped_column(Boolean, default=False)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    language: Mapped[str] = mapped_column(String(16), default="en")
    date_joined: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failed_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    login_attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Visible posts written, kept up to date on write.
    post_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    #: Written in batches by ``forumapp.reading.presence`` (who's online).
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: When the member's previous visit ended: what ``/new`` lists topics since.
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A temporary ban ends at this moment (lifted by the management panel's checker).
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: The group a banned member returns to when the ban ends or is lifted: the group
    #: they were in when banned. ``None`` (or a group deleted since) means Member.
    ban_restore_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="SET NULL")
    )
    #: "Mark all read": everything older than this counts as read.
    all_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Content hash naming the member's avatar files (``forumapp.avatars``); ``None``:
    #: their initials stand in.
    avatar_key: Mapped[str | None] = mapped_column(String(32))

    # The profile (``/settings/profile``). Markdown is stored with its rendered HTML,
    # written once on save; the long texts are deferred so that loading the member on
    # every request stays small.
    display_name: Mapped[str] = mapped_column(
        String(DISPLAY_NAME_MAX_LENGTH), default="", server_default=""
    )
    about: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    about_html: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    location: Mapped[str] = mapped_column(
        String(LOCATION_MAX_LENGTH), default="", server_default=""
    )
    website: Mapped[str] = mapped_column(String(WEBSITE_MAX_LENGTH), default="", server_default="")
    signature: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    signature_html: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    # The preferences (``/settings/preferences``); ``None`` follows the site's setting.
    #: An IANA time zone name (``DEFAULT_TIMEZONE`` when unset).
    timezone: Mapped[str | None] = mapped_column(String(TIMEZONE_MAX_LENGTH))
    #: Posts on a topic page (``POSTS_PER_PAGE`` when unset).
    posts_per_page: Mapped[int | None] = mapped_column(Integer)
    #: Whether a login from a new device emails the member (see ``forumapp.auth.services``).
    notify_new_sign_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: Whether members who are not staff may start private conversations with this one.
    messages_from_members: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    #: Whether a new private message emails the member.
    message_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: The colour theme: "auto" follows the system's setting, or "light" / "dark".
    theme: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")

    group: Mapped[Group] = relationship(lazy="joined", innerjoin=True, foreign_keys=[group_id])

    def __repr__(self) -> str:
        return f"<User {self.username!r}>"

    @property
    def is_banned(self) -> bool:
        """Whether the user's group is a banned group."""
        return self.group.banned

    @property
    def is_admin(self) -> bool:
        """Whether the user administers the forum."""
        return self.group.admin

    def attach_session(self, token: str) -> None:
        """Remember the login session this instance stands for (see :meth:`get_id`)."""
        self._session_token = token

    def get_id(self) -> str | None:
        # Flask-Login stores this in the session and the remember-me cookie: the
        # server-side session token, so that revoking the session revokes both cookies.
        return self.__dict__.get("_session_token")

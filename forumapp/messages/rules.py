"""Who may write to whom: the checks a conversation's new participants go through.

Kept apart from the service so that starting a conversation and adding someone to one
refuse the same people with the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import LazyString
from sqlalchemy import select

from forumapp.forum.errors import Forbidden, InvalidInput
from forumapp.forum.permissions import Actor
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.lazy_text import lazy_ngettext
from forumapp.persistence import DbSession
from forumapp.text import has_control_characters
from forumapp.users.blocks import blocked_by, blockers_among
from forumapp.users.models import User, username_key

#: What a guest or a banned member is told.
BANNED = _l("Banned members cannot send messages.")


@dataclass(frozen=True)
class MessagingSettings:
    """The site's messaging rules (``MESSAGES_*`` settings)."""

    #: Participants of one conversation, its starter included.
    max_participants: int = 10
    #: Posts a member must have written before starting conversations.
    min_posts: int = 0
    #: Days a member must have been registered before starting conversations.
    min_account_days: int = 0
    #: Messages on a conversation page, conversations on an inbox page.
    page_size: int = 20


def is_staff(actor: Actor) -> bool:
    """Whether the actor is an administrator or a moderator of any kind."""
    return actor.flags.admin or actor.is_global_moderator or bool(actor.moderated_forums)


def check_sender(actor: Actor) -> None:
    """Refuse guests and banned members."""
    if actor.user_id is None or actor.flags.banned:
        raise Forbidden(BANNED)


def check_newcomer(
    session: DbSession, actor: Actor, settings: MessagingSettings, now: datetime
) -> None:
    """Refuse a member too new to start conversations (staff are never new)."""
    if is_staff(actor) or (settings.min_posts == 0 and settings.min_account_days == 0):
        return
    user = session.get(User, actor.user_id)
    if user is None:
        raise Forbidden(BANNED)
    old_enough = user.date_joined <= now - timedelta(days=settings.min_account_days)
    if user.post_count < settings.min_posts or not old_enough:
        raise Forbidden(
            _l(
                "New members can start conversations once they have written %(posts)s and "
                "been members for %(days)s.",
                posts=lazy_ngettext("%(num)s post", "%(num)s posts", settings.min_posts),
                days=lazy_ngettext("%(num)s day", "%(num)s days", settings.min_account_days),
            )
        )


def unique_names(names: Sequence[str]) -> list[str]:
    """The names in their first spelling, without repeats or blanks."""
    seen: dict[str, str] = {}
    for name in names:
        cleaned = name.strip()
        if cleaned:
            seen.setdefault(username_key(cleaned), cleaned)
    return list(seen.values())


def recipients(
    session: DbSession, actor: Actor, names: Sequence[str], *, field: str = "recipients"
) -> list[User]:
    """The members called ``names``, other than the actor, each willing to hear from the
    actor; :class:`InvalidInput` on ``field`` names the first one who cannot be
    written to (three queries whatever the number of names)."""
    wanted = unique_names(names)
    for name in wanted:
        # No username holds one, and PostgreSQL refuses a NUL even in a lookup.
        if has_control_characters(name):
            raise InvalidInput(field, _unknown(ascii(name)[1:-1]))
    keys = [username_key(name) for name in wanted]
    found = {
        user.username_key: user
        for user in session.scalars(select(User).where(User.username_key.in_(keys)))
    }
    members: list[User] = []
    for name, key in zip(wanted, keys, strict=True):
        user = found.get(key)
        if user is None:
            raise InvalidInput(field, _unknown(name))
        if user.id != actor.user_id:
            members.append(user)
    if not members:
        raise InvalidInput(field, _l("Name at least one member to write to."))
    assert actor.user_id is not None
    check_willing(session, actor, members, field=field)
    return members


def _unknown(name: str) -> LazyString:
    return _l("No member is called %(name)s.", name=name)


def check_willing(session: DbSession, actor: Actor, members: Sequence[User], *, field: str) -> None:
    """Refuse when one of ``members`` blocked the actor, was blocked by the actor, or
    takes messages from the staff only."""
    assert actor.user_id is not None
    refusing = blockers_among(session, actor.user_id, {user.id for user in members})
    mine = blocked_by(session, actor.user_id)
    staff = is_staff(actor)
    for user in members:
        if user.id in refusing:
            raise InvalidInput(
                field, _l("%(name)s does not accept messages from you.", name=user.username)
            )
        if user.id in mine:
            raise InvalidInput(
                field,
                _l(
                    "You blocked %(name)s: unblock them on their profile first.", name=user.username
                ),
            )
        if not staff and not user.messages_from_members:
            raise InvalidInput(
                field, _l("%(name)s accepts messages from the staff only.", name=user.username)
            )


def check_size(count: int, settings: MessagingSettings, *, field: str = "recipients") -> None:
    """Refuse a conversation of more than ``max_participants`` members."""
    if count > settings.max_participants:
        raise InvalidInput(
            field,
            _l(
                "A conversation has at most %(limit)s participants, you included.",
                limit=settings.max_participants,
            ),
        )

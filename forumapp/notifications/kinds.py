"""What a member can be notified of, how their email about it goes out, and how closely
they follow a topic or forum."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import LazyString

from forumapp.lazy_text import lazy_gettext as _l


class Kind(StrEnum):
    """The events a notification can be about."""

    #: A reply in a topic the member watches.
    REPLY = "reply"
    #: A reply in a topic the member started (and does not watch).
    TOPIC_REPLY = "topic_reply"
    #: A new topic in a forum the member watches.
    NEW_TOPIC = "new_topic"
    MENTION = "mention"
    QUOTE = "quote"
    #: A moderator locked, moved, deleted or hid the member's topic or post.
    MODERATION = "moderation"
    #: A report the member filed was handled.
    REPORT_RESOLVED = "report_resolved"
    #: A new message in a private conversation the member takes part in.
    PRIVATE_MESSAGE = "private_message"


class EmailMode(StrEnum):
    """When a member is emailed about a kind of notification."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class Level(StrEnum):
    """How closely a member follows a topic or a forum."""

    #: Notified of every post (of every new topic, for a forum).
    WATCHING = "watching"
    #: Unread markers only: the default.
    TRACKING = "tracking"
    #: Nothing at all, not even mentions or quotes from there.
    MUTED = "muted"


#: Where a notification's email stands: a mode while it is due, then ``SENT``.
SENT = "sent"

#: What each kind is called on the settings page and in emails, in the page's order.
LABELS: dict[Kind, LazyString] = {
    Kind.MENTION: _l("Someone mentions me (@name)"),
    Kind.QUOTE: _l("Someone quotes one of my posts"),
    Kind.TOPIC_REPLY: _l("Someone replies to a topic I started"),
    Kind.REPLY: _l("New posts in topics I watch"),
    Kind.NEW_TOPIC: _l("New topics in forums I watch"),
    Kind.MODERATION: _l("A moderator acts on my topics or posts"),
    Kind.REPORT_RESOLVED: _l("A report I filed is handled"),
    Kind.PRIVATE_MESSAGE: _l("Someone sends me a private message"),
}

#: The email mode of a kind for members who never chose one: what concerns the member
#: directly comes at once, what they merely follow comes in the daily digest.
DEFAULT_EMAIL: dict[Kind, EmailMode] = {
    Kind.MENTION: EmailMode.IMMEDIATE,
    Kind.QUOTE: EmailMode.IMMEDIATE,
    Kind.TOPIC_REPLY: EmailMode.IMMEDIATE,
    Kind.REPLY: EmailMode.DAILY,
    Kind.NEW_TOPIC: EmailMode.DAILY,
    Kind.MODERATION: EmailMode.IMMEDIATE,
    Kind.REPORT_RESOLVED: EmailMode.NEVER,
    # The messages send their own email (Preferences, "Email me when I get a private
    # message"): a second one by default would say the same thing twice.
    Kind.PRIVATE_MESSAGE: EmailMode.NEVER,
}

#: Kinds whose unread notifications about one topic are one line that grows.
GROUPED: frozenset[Kind] = frozenset({Kind.REPLY, Kind.TOPIC_REPLY})

#: Moderation actions the author of the content hears of, and how they are told (whole
#: sentences, so that each language can order them its own way).
MODERATION_NOTICES: dict[str, LazyString] = {
    "topic.lock": _l("A moderator locked your topic: “%(subject)s”"),
    "topic.move": _l("A moderator moved your topic: “%(subject)s”"),
    "topic.delete": _l("A moderator deleted your topic: “%(subject)s”"),
    "post.delete": _l("A moderator deleted your post: “%(subject)s”"),
    "post.hide": _l("A moderator hid your post: “%(subject)s”"),
}

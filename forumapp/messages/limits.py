"""Flood control of private messages.

A message takes one post of the members' shared posting budget
(:data:`forumapp.forum.limits.posts_per_member`), whatever page or endpoint it comes
through; a new conversation also takes one of ``MESSAGES_CONVERSATION_LIMIT``, the
daily quota that keeps one member from writing to the whole forum.
"""

from __future__ import annotations

from forumapp.forum.limits import MemberBudget
from forumapp.lazy_text import lazy_gettext as _l

QUOTA_MESSAGE = _l("You have started many conversations today. Reply in those, or try tomorrow.")

conversations_per_member = MemberBudget(
    "conversations", "MESSAGES_CONVERSATION_LIMIT", QUOTA_MESSAGE
)

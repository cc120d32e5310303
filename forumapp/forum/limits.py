"""Flood control: one budget of posts and one of previews per member, whatever the page or
API endpoint, plus the budget of reports.

Posts (new topics, replies, edits) and previews are :class:`MemberBudget` objects handed
to :class:`~forumapp.forum.posting.PostingService`: a post is counted before its
transaction starts, in one atomic step of the limiter's storage (an ``INCR`` in Redis),
and given back if the write then fails. So neither requests sent at the same moment
through several workers nor a spread over the forms and the API get past the limit, and
when the storage cannot be reached nothing is written (the app answers 503, see
:mod:`forumapp.limit_storage`).

Reports keep their own budget (``FORUM_REPORT_LIMIT``), handed to
:class:`~forumapp.forum.moderation.ModerationService` the same way: reporting is how
members flag a flood, so a member who has posted their fill can still report.

A refusal says when the member can go on ("You can post again in 12 seconds."); the forms
come back with what was typed (see :mod:`forumapp.forum.views`).
"""

from __future__ import annotations

import math
import time

from flask import current_app
from flask_babel import LazyString, ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter

from forumapp.extensions import limiter
from forumapp.forum.errors import Flooded
from forumapp.forum.permissions import Actor
from forumapp.lazy_text import lazy_gettext as _l

#: What a member is told when a budget is spent; ``%(wait)s`` becomes "12 seconds".
FLOOD_MESSAGE = _l("You are posting too quickly. You can post again in %(wait)s.")
PREVIEW_MESSAGE = _l("You have previewed a lot in a short time. You can preview again in %(wait)s.")
REPORT_MESSAGE = _l("You have sent many reports in a short time. You can report again in %(wait)s.")


def wait_phrase(seconds: int) -> str:
    """``seconds`` as people say it: "1 second", "45 seconds", "3 minutes" (rounded up)."""
    phrase: str
    if seconds < 120:
        phrase = ngettext("%(num)s second", "%(num)s seconds", seconds)
    else:
        phrase = ngettext("%(num)s minute", "%(num)s minutes", math.ceil(seconds / 60))
    return phrase


def _member_key() -> str:
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"client:{get_remote_address()}"


class MemberBudget:
    """``config_key`` names a limit such as ``"6 per minute"``, read when counting; each
    member (each client address for guests) has one budget per ``scope``, shared by every
    worker when the limiter's storage is Redis. ``message`` says when the member can go on,
    in its ``{wait}``. Implements
    :class:`forumapp.forum.posting.Budget`.
    """

    def __init__(self, scope: str, config_key: str, message: LazyString) -> None:
        self.scope = scope
        self.config_key = config_key
        self.message = message

    def take(self, actor: Actor) -> None:
        """Count one action of ``actor``; :class:`Flooded` when the budget is spent.

        Raises :class:`limits.errors.StorageError` when the storage cannot be reached.
        """
        if not limiter.enabled:
            return
        item, identifiers = self._item(), self._identifiers(actor)
        strategy = limiter.limiter
        if strategy.hit(item, *identifiers):
            return
        window_ends = strategy.get_window_stats(item, *identifiers).reset_time
        wait = max(1, math.ceil(window_ends - time.time()))
        raise Flooded(str(self.message) % {"wait": wait_phrase(wait)}, wait)

    def give_back(self, actor: Actor) -> None:
        """Return an action taken for work that was not done. Best effort: the storage may
        be why the work failed, and the work's own error is the one to report. A
        ``moving-window`` strategy cannot give back."""
        if not limiter.enabled or isinstance(limiter.limiter, MovingWindowRateLimiter):
            return
        strategy = limiter.limiter
        try:
            strategy.hit(self._item(), *self._identifiers(actor), cost=-1)
        except StorageError:
            current_app.logger.warning("Could not give back a %s flood-control count", self.scope)

    def _item(self) -> RateLimitItem:
        return parse(str(current_app.config[self.config_key]))

    def _identifiers(self, actor: Actor) -> tuple[str, ...]:
        # Flask-Limiter's key prefix keeps forums that share one Redis apart.
        prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "")
        who = f"member:{actor.user_id}" if actor.user_id is not None else _member_key()
        return (prefix, "forumapp-flood", self.scope, who)


#: New topics, replies and edits, from the web forms and the API alike.
posts_per_member = MemberBudget("posts", "FORUM_POST_LIMIT", FLOOD_MESSAGE)
#: Previews on every form that has one.
previews_per_member = MemberBudget("previews", "FORUM_PREVIEW_LIMIT", PREVIEW_MESSAGE)
#: Reports of posts to the moderators.
reports_per_member = MemberBudget("reports", "FORUM_REPORT_LIMIT", REPORT_MESSAGE)

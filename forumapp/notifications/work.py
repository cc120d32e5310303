"""The work each forum event calls for, and the in-process way of doing it.

:class:`NotificationWork` implements :class:`forumapp.forum.events.ForumEvents`: the
posting and moderation services call it once their transaction has committed, and it
writes the notifications (a fixed number of statements whatever the audience) and sends
the emails due at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from forumapp.forum.moderation import ModerationEvent
from forumapp.notifications.fanout import FanOut
from forumapp.notifications.outgoing import NotificationMail
from forumapp.persistence import DbSession


@dataclass(frozen=True)
class NotificationWork:
    """Fans each event out and sends the emails it made due, in the calling process."""

    fan_out: Callable[[], FanOut]
    mail: Callable[[], NotificationMail]

    @classmethod
    def over(
        cls,
        session: DbSession,
        fan_out: Callable[[DbSession], FanOut],
        mail: Callable[[DbSession], NotificationMail],
    ) -> NotificationWork:
        """The work done in ``session``."""
        return cls(lambda: fan_out(session), lambda: mail(session))

    def post_saved(self, post_id: int) -> None:
        """Notify of a new post."""
        self.fan_out().post_saved(post_id)
        self.mail().send_immediate()

    def moderated(self, events: Sequence[ModerationEvent]) -> None:
        """Notify authors of moderation actions on their content."""
        self.fan_out().moderated(events)
        self.mail().send_immediate()

    def report_handled(self, report_id: int) -> None:
        """Notify a member that their report was handled."""
        self.fan_out().report_handled(report_id)
        self.mail().send_immediate()

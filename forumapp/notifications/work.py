"""The work each forum event calls for, and the in-process way of doing it.

:class:`NotificationWork` writes an event's notifications (a fixed number of statements
whatever the audience) and sends the emails due at once. :class:`AfterCommit` is the
:class:`forumapp.forum.events.ForumEvents` of an app without a job queue: told of an
event inside the posting or moderation service's unit of work, it does the work once that
commits, in a database session of its own, and never when it rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

from forumapp.forum.moderation import ModerationEvent
from forumapp.notifications.fanout import FanOut
from forumapp.notifications.outgoing import NotificationMail
from forumapp.persistence import DbSession


@dataclass(frozen=True)
class NotificationWork:
    """Fans each event out and sends the emails it made due."""

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


class AfterCommit:
    """Does each event's work in this process once the caller's unit of work commits.

    ``session`` is the caller's session (whose commit is awaited); ``new_session`` opens
    the one the work runs in, as the caller's can run no statement while it commits.
    """

    def __init__(
        self,
        session: Callable[[], Session],
        new_session: Callable[[], Session],
        work: Callable[[DbSession], NotificationWork],
    ) -> None:
        self._session = session
        self._new_session = new_session
        self._work = work

    def post_saved(self, post_id: int) -> None:
        """Notify of a new post, once it is committed."""
        self._later(lambda work: work.post_saved(post_id))

    def moderated(self, events: Sequence[ModerationEvent]) -> None:
        """Notify authors of moderation actions, once they are committed."""
        self._later(lambda work: work.moderated(events))

    def report_handled(self, report_id: int) -> None:
        """Notify a reporter, once the report's handling is committed."""
        self._later(lambda work: work.report_handled(report_id))

    def _later(self, do: Callable[[NotificationWork], None]) -> None:
        caller = self._session()

        def run(_committed: Session) -> None:
            event.remove(caller, "after_rollback", forget)
            with self._new_session() as session:
                do(self._work(session))

        def forget(_rolled_back: Session) -> None:
            # Otherwise the next commit of this session would act on a change undone.
            event.remove(caller, "after_commit", run)

        event.listen(caller, "after_commit", run, once=True)
        event.listen(caller, "after_rollback", forget, once=True)

"""The work each forum event calls for, and the job that does it.

:class:`NotificationWork` writes an event's notifications (a fixed number of statements
whatever the audience) and sends the emails due at once. :class:`QueuedEvents` is the
:class:`forumapp.forum.events.ForumEvents` forumapp installs: told of an event inside the
posting or moderation service's unit of work, it enqueues one job in that same unit of
work, so the work runs once the change commits, in a worker, and never when it rolls back.
:func:`notification_job` is what that job does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from forumapp.forum.moderation import ModerationEvent
from forumapp.jobs.ports import JobKind, JobQueue
from forumapp.notifications.fanout import FanOut
from forumapp.notifications.outgoing import NotificationMail
from forumapp.persistence import DbSession

#: The kind of the job that notifies of one forum event.
NOTIFY_JOB = "notifications.event"


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

    def message_sent(self, message_id: int) -> None:
        """Notify the participants of a private conversation of a new message."""
        self.fan_out().message_sent(message_id)
        self.mail().send_immediate()


class QueuedEvents:
    """Enqueues one notification job per event, in the caller's unit of work (the job
    queue relays it once that commits; a rollback takes the job with it)."""

    def __init__(self, queue: Callable[[], JobQueue]) -> None:
        self._queue = queue

    def post_saved(self, post_id: int) -> None:
        """Notify of a new post, once it is committed."""
        self._enqueue({"event": "post_saved", "post_id": post_id})

    def moderated(self, events: Sequence[ModerationEvent]) -> None:
        """Notify authors of moderation actions, once they are committed."""
        self._enqueue({"event": "moderated", "actions": [asdict(event) for event in events]})

    def report_handled(self, report_id: int) -> None:
        """Notify a reporter, once the report's resolution is committed."""
        self._enqueue({"event": "report_handled", "report_id": report_id})

    def message_sent(self, message_id: int) -> None:
        """Notify a conversation's participants, once the message is committed."""
        self._enqueue({"event": "message_sent", "message_id": message_id})

    def _enqueue(self, payload: Mapping[str, Any]) -> None:
        self._queue().enqueue(NOTIFY_JOB, payload)


def notification_job(work: Callable[[], NotificationWork]) -> JobKind:
    """The job that does one event's work, over the session ``work`` builds it with."""

    def run(payload: Mapping[str, Any]) -> None:
        done = work()
        match payload["event"]:
            case "post_saved":
                done.post_saved(int(payload["post_id"]))
            case "moderated":
                done.moderated([ModerationEvent(**action) for action in payload["actions"]])
            case "report_handled":
                done.report_handled(int(payload["report_id"]))
            case "message_sent":
                done.message_sent(int(payload["message_id"]))
            case unknown:
                raise ValueError(f"No notification work for the event {unknown!r}")

    return JobKind(run=run)

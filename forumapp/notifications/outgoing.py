"""Sending the emails notifications are due for: at once, or gathered in a digest.

Each batch is marked sent in the transaction its emails are handed over in, so that two
runs never send the same email (a message the backend then fails to send is logged and
counted on the dashboard, like every other email).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import groupby
from typing import Protocol

from sqlalchemy import select, update

from forumapp.mail import Email
from forumapp.notifications.emails import Recipient
from forumapp.notifications.kinds import SENT, EmailMode
from forumapp.notifications.models import Notification
from forumapp.persistence import DbSession, atomic
from forumapp.users.models import User

#: Emails rendered and handed over per transaction.
BATCH = 500


class NotificationEmails(Protocol):
    """Renders notification emails (see :class:`TemplateNotificationEmails`)."""

    def single(self, recipient: Recipient, line: Notification) -> Email:
        """The email of one notification."""

    def digest(self, recipient: Recipient, lines: list[Notification], mode: EmailMode) -> Email:
        """One email for several notifications."""


class NotificationMail:
    """Finds the notifications whose email is due and sends it."""

    def __init__(
        self, session: DbSession, emails: NotificationEmails, deliver: Callable[[Email], None]
    ) -> None:
        self._session = session
        self._emails = emails
        self._deliver = deliver

    def send_immediate(self) -> int:
        """Send every email due at once; returns how many were sent."""
        sent = 0
        while (batch := self._due(EmailMode.IMMEDIATE, None)) is not None:
            with self._claimed(batch, EmailMode.IMMEDIATE) as mine:
                for line, recipient in batch:
                    if line.id in mine and line.read_at is None and recipient is not None:
                        self._deliver(self._emails.single(recipient, line))
                        sent += 1
        return sent

    def send_digests(self, mode: EmailMode) -> int:
        """Send one digest per member of the notifications due in ``mode`` (daily or
        weekly) they have not read yet; returns how many digests were sent."""
        sent = 0
        while (batch := self._due(mode, self._members_due(mode))) is not None:
            with self._claimed(batch, mode) as mine:
                for recipient, rows in groupby(batch, key=lambda row: row[1]):
                    unread = [line for line, _ in rows if line.id in mine and line.read_at is None]
                    if unread and recipient is not None:
                        self._deliver(self._emails.digest(recipient, unread, mode))
                        sent += 1
        return sent

    def _members_due(self, mode: EmailMode) -> list[int]:
        # Whole members per batch: a digest never straddles two batches.
        return list(
            self._session.scalars(
                select(Notification.user_id)
                .where(Notification.mail_status == mode.value)
                .group_by(Notification.user_id)
                .order_by(Notification.user_id)
                .limit(BATCH)
            )
        )

    def _due(
        self, mode: EmailMode, members: list[int] | None
    ) -> list[tuple[Notification, Recipient | None]] | None:
        """A batch of notifications due in ``mode`` with their recipients (``None`` for a
        member not activated, who gets no email); ``None`` once none is due."""
        query = (
            select(Notification, User.id, User.username, User.email, User.language, User.activated)
            .join(User, User.id == Notification.user_id)
            .where(Notification.mail_status == mode.value)
            .order_by(Notification.user_id, Notification.updated_at)
        )
        if members is None:
            query = query.limit(BATCH)
        elif members:
            query = query.where(Notification.user_id.in_(members))
        else:
            return None
        rows = self._session.execute(query).all()
        if not rows:
            return None
        for row in rows:
            # Kept as read: the commit would expire them, and reading them again would
            # cost a query each.
            self._session.expunge(row[0])
        return [
            (line, Recipient(user_id, username, email, language) if activated else None)
            for line, user_id, username, email, language, activated in rows
        ]

    @contextmanager
    def _claimed(
        self, batch: list[tuple[Notification, Recipient | None]], mode: EmailMode
    ) -> Iterator[frozenset[int]]:
        """Mark the batch sent in the unit of work its emails are handed over in: with the
        job queue's mail, each email is a job that exists exactly when the mark commits.
        Yields the ids this run marked: a line another run (another worker's scheduler)
        marked since it was read is that run's to send."""
        with atomic(self._session):
            mine = self._session.scalars(
                update(Notification)
                .where(
                    Notification.id.in_([line.id for line, _ in batch]),
                    Notification.mail_status == mode.value,
                )
                .values(mail_status=SENT)
                .returning(Notification.id),
                execution_options={"synchronize_session": False},
            )
            yield frozenset(mine)

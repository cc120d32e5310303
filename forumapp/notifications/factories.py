"""The one place that wires the notification services from the app's configuration.

Each factory is called inside a request (or a job's app context) and returns a ready
service. :func:`default_factories` bundles them for
:func:`forumapp.notifications.create_notifications_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.extensions import db
from forumapp.forum.actor import current_actor
from forumapp.forum.permissions import Actor
from forumapp.http import external_url
from forumapp.jobs.factories import mail_delivery
from forumapp.notifications.choices import ChoicesService
from forumapp.notifications.emails import TemplateNotificationEmails
from forumapp.notifications.fanout import FanOut, FanOutSettings
from forumapp.notifications.inbox import Inbox
from forumapp.notifications.outgoing import NotificationMail
from forumapp.notifications.tokens import UnsubscribeTokens
from forumapp.notifications.watching import WatchService
from forumapp.persistence import DbSession
from forumapp.sqltypes import utcnow


@dataclass(frozen=True)
class NotificationFactories:
    """What the notification views and jobs are built with."""

    #: Who is asking (what they may see: watching needs a visible topic or forum).
    actor: Callable[[], Actor]
    inbox: Callable[[], Inbox]
    watching: Callable[[], WatchService]
    choices: Callable[[], ChoicesService]
    tokens: Callable[[], UnsubscribeTokens]
    #: The fan-out and the mail, over the session they are given: a job has its own.
    fan_out: Callable[[DbSession], FanOut]
    mail: Callable[[DbSession], NotificationMail]
    #: Lines per page of ``/notifications``.
    per_page: Callable[[], int]


def inbox_factory() -> Inbox:
    """The member's notifications over the app's database."""
    return Inbox(db.session, utcnow)


def watching_factory() -> WatchService:
    """Watch levels over the app's database."""
    return WatchService(db.session)


def choices_factory() -> ChoicesService:
    """Notification settings over the app's database."""
    return ChoicesService(db.session)


def tokens_factory() -> UnsubscribeTokens:
    """Unsubscribe tokens signed with the app's secret key."""
    return UnsubscribeTokens(current_app.config["SECRET_KEY"])


def fan_out_factory(session: DbSession) -> FanOut:
    """The fan-out over ``session``, with ``NOTIFICATIONS_MAX_MENTIONS``."""
    settings = FanOutSettings(max_mentions=current_app.config["NOTIFICATIONS_MAX_MENTIONS"])
    return FanOut(session, utcnow, settings)


def mail_factory(session: DbSession) -> NotificationMail:
    """Notification emails rendered from forumapp's templates, each one a mail job.

    ``session`` is the app's ``db.session`` (a request's, a command's or a worker's): the
    job queue enqueues there, in the unit of work that marks the batch sent.
    """
    site_name = current_app.config["SITE_NAME"]
    emails = TemplateNotificationEmails(external_url, site_name, tokens_factory())
    return NotificationMail(session, emails, mail_delivery())


def per_page() -> int:
    """``NOTIFICATIONS_PER_PAGE``."""
    size: int = current_app.config["NOTIFICATIONS_PER_PAGE"]
    return size


def default_factories() -> NotificationFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return NotificationFactories(
        actor=current_actor,
        inbox=inbox_factory,
        watching=watching_factory,
        choices=choices_factory,
        tokens=tokens_factory,
        fan_out=fan_out_factory,
        mail=mail_factory,
        per_page=per_page,
    )

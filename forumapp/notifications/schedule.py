"""The notifications' background work: one job per forum event, the digests and the
pruning on a schedule. The ``forumapp notify`` commands call the same functions."""

from __future__ import annotations

from flask import Flask, current_app
from huey import crontab

from forumapp.extensions import db
from forumapp.jobs import register_job, register_periodic
from forumapp.notifications.factories import NotificationFactories
from forumapp.notifications.inbox import prune_horizon
from forumapp.notifications.kinds import EmailMode
from forumapp.notifications.work import NOTIFY_JOB, NotificationWork, notification_job
from forumapp.sqltypes import utcnow

#: Names of the periodic jobs, the same in every process.
DAILY_DIGESTS_JOB = "notifications.daily_digests"
WEEKLY_DIGESTS_JOB = "notifications.weekly_digests"
PRUNE_JOB = "notifications.prune"


def send_digests(f: NotificationFactories, mode: EmailMode) -> int:
    """Email the ``mode`` (daily or weekly) digests that are due; how many went out."""
    return f.mail(db.session).send_digests(mode)


def prune(f: NotificationFactories) -> int:
    """Delete notifications read more than ``NOTIFICATIONS_RETENTION_DAYS`` ago; how many."""
    days = current_app.config["NOTIFICATIONS_RETENTION_DAYS"]
    return f.inbox().prune(prune_horizon(utcnow, days))


def install_notification_jobs(app: Flask, f: NotificationFactories) -> None:
    """Register the event job and the periodic digests and pruning with ``app``'s queue
    (UTC times: the daily digest at 07:00, the weekly one on Mondays, pruning at 03:30)."""
    register_job(
        app,
        NOTIFY_JOB,
        # The worker's app context has a session of its own: the emails the work makes
        # due are enqueued in it, in the unit of work that marks them sent.
        notification_job(lambda: NotificationWork.over(db.session, f.fan_out, f.mail)),
    )
    register_periodic(
        app,
        DAILY_DIGESTS_JOB,
        crontab(minute="0", hour="7"),
        lambda: send_digests(f, EmailMode.DAILY),
    )
    register_periodic(
        app,
        WEEKLY_DIGESTS_JOB,
        crontab(minute="0", hour="7", day_of_week="1"),
        lambda: send_digests(f, EmailMode.WEEKLY),
    )
    register_periodic(app, PRUNE_JOB, crontab(minute="30", hour="3"), lambda: prune(f))

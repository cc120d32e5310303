"""``forumapp notify ...``: the digests and the pruning, for cron or the job queue."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from forumapp.extensions import db
from forumapp.notifications.factories import NotificationFactories
from forumapp.notifications.inbox import prune_horizon
from forumapp.notifications.kinds import EmailMode
from forumapp.sqltypes import utcnow


def register(bp: Blueprint, f: NotificationFactories) -> None:
    """Add the commands to the blueprint's command group (``forumapp notify``)."""

    @bp.cli.command("send-digests")
    @click.argument("period", type=click.Choice([EmailMode.DAILY.value, EmailMode.WEEKLY.value]))
    def send_digests(period: str) -> None:
        """Email the daily or weekly digests that are due."""
        sent = f.mail(db.session).send_digests(EmailMode(period))
        click.echo(f"Sent {sent} {period} digest{'s' if sent != 1 else ''}.")

    @bp.cli.command("prune")
    def prune() -> None:
        """Delete notifications read more than NOTIFICATIONS_RETENTION_DAYS ago."""
        days = current_app.config["NOTIFICATIONS_RETENTION_DAYS"]
        removed = f.inbox().prune(prune_horizon(utcnow, days))
        click.echo(f"Deleted {removed} read notification{'s' if removed != 1 else ''}.")

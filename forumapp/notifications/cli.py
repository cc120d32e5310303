"""``forumapp notify ...``: the digests and the pruning by hand or from cron (the job
queue's consumer also runs them on a schedule, see :mod:`forumapp.notifications.schedule`)."""

from __future__ import annotations

import click
from flask import Blueprint

from forumapp.notifications import schedule
from forumapp.notifications.factories import NotificationFactories
from forumapp.notifications.kinds import EmailMode


def register(bp: Blueprint, f: NotificationFactories) -> None:
    """Add the commands to the blueprint's command group (``forumapp notify``)."""

    @bp.cli.command("send-digests")
    @click.argument("period", type=click.Choice([EmailMode.DAILY.value, EmailMode.WEEKLY.value]))
    def send_digests(period: str) -> None:
        """Email the daily or weekly digests that are due."""
        sent = schedule.send_digests(f, EmailMode(period))
        click.echo(f"Sent {sent} {period} digest{'s' if sent != 1 else ''}.")

    @bp.cli.command("prune")
    def prune() -> None:
        """Delete notifications read more than NOTIFICATIONS_RETENTION_DAYS ago."""
        removed = schedule.prune(f)
        click.echo(f"Deleted {removed} read notification{'s' if removed != 1 else ''}.")

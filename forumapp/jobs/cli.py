"""``forumapp worker`` runs the job consumer; ``forumapp jobs`` shows and handles failed jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from forumapp.extensions import db
from forumapp.jobs.consumer import consumer, queue_location
from forumapp.jobs.factories import failed_jobs, lease_keeper
from forumapp.jobs.services import FailedJobs


def _app() -> Flask:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def _failed_jobs() -> FailedJobs:
    return failed_jobs(_app(), db.session)


@click.command("worker")
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker threads."
)
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the background job consumer (emails, periodic jobs)."""
    app = _app()
    if app.config["JOBS_IMMEDIATE"]:
        raise click.ClickException(
            "JOBS_IMMEDIATE is on: jobs run where they are enqueued, no worker takes them."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    click.echo(f"forumapp worker: {workers} threads on the queue {queue_location(app)}")
    consumer(app, workers).run()


@click.group("jobs", invoke_without_command=True)
@click.pass_context
@with_appcontext
def jobs_command(ctx: click.Context) -> None:
    """List failed background jobs; retry or discard them.

    Jobs still running past their lease (their worker stopped) are listed first."""
    if ctx.invoked_subcommand is not None:
        return
    _list_overdue()
    failed = _failed_jobs().listing()
    if not failed:
        click.echo("No failed jobs.")
        return
    for job in failed:
        ran = job.ran_at.strftime("%Y-%m-%d %H:%M UTC") if job.ran_at else "never"
        click.echo(f"{job.id}  {job.kind}  {job.attempts} attempts, last {ran}")
        click.echo(f"    {job.error}")
    click.echo(
        f"{len(failed)} failed. Retry with `forumapp jobs retry ID`, "
        "give up with `forumapp jobs discard ID`."
    )


def _list_overdue() -> None:
    # Listed only when there are some: most of the time there are none to speak of.
    overdue = lease_keeper(_app(), db.session).overdue()
    for job in overdue:
        ran = job.ran_at.strftime("%Y-%m-%d %H:%M UTC") if job.ran_at else "never"
        click.echo(f"{job.id}  {job.kind}  running since {ran}, attempt {job.attempts}")
        if job.lease_expires_at is not None:
            lapsed = job.lease_expires_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            click.echo(f"    lease lapsed at {lapsed}: its worker stopped")
    if overdue:
        click.echo(
            f"{len(overdue)} running past their lease; the periodic relay (each minute, "
            "on the workers) runs them again."
        )


@jobs_command.command("retry")
@click.argument("job_ids", metavar="ID...", nargs=-1, required=True, type=int)
@with_appcontext
def retry_command(job_ids: tuple[int, ...]) -> None:
    """Give failed jobs a fresh set of attempts."""
    _act(job_ids, _failed_jobs().retry, "queued again")


@jobs_command.command("discard")
@click.argument("job_ids", metavar="ID...", nargs=-1, required=True, type=int)
@with_appcontext
def discard_command(job_ids: tuple[int, ...]) -> None:
    """Give up on failed jobs for good."""
    _act(job_ids, _failed_jobs().discard, "discarded")


def _act(job_ids: tuple[int, ...], action: Callable[[int], bool], done: str) -> None:
    missing = [job_id for job_id in job_ids if not action(job_id)]
    for job_id in job_ids:
        if job_id not in missing:
            click.echo(f"Job {job_id} {done}.")
    if missing:
        listed = ", ".join(str(job_id) for job_id in missing)
        raise click.ClickException(f"No failed job with id {listed}.")

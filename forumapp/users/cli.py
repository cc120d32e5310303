"""``forumapp create-admin``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from forumapp.database import upgrade_schema
from forumapp.users.factories import admin_accounts
from forumapp.users.services import AccountError


@click.command("create-admin")
@click.option("--username", prompt=True, help="The administrator's username.")
@click.option("--email", prompt=True, help="The administrator's email address.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for (hidden) when omitted; avoid passing it on a shared machine.",
)
@with_appcontext
def create_admin_command(username: str, email: str, password: str) -> None:
    """Create an activated administrator account.

    The database schema is brought up to date first, as ``forumapp run`` does.
    """
    upgraded = upgrade_schema(current_app._get_current_object())  # type: ignore[attr-defined]
    if upgraded:
        click.echo(f"Upgraded the database to {upgraded}.")
    try:
        user = admin_accounts().create_admin(username, email, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created administrator {user.username} <{user.email}>.")

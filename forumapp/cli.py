"""The ``forumapp`` command: Flask's CLI bound to :func:`forumapp.create_app`.

``forumapp run`` serves with waitress, a production-grade WSGI server, after bringing
the database schema up to date; ``db`` (Flask-Migrate) and ``create-admin`` come from
the app, so ``flask --app forumapp ...`` offers them too.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, pass_script_info, routes_command, shell_command
from waitress import serve

from forumapp.app import create_app
from forumapp.config import ConfigError
from forumapp.database import upgrade_schema
from forumapp.users.factories import admin_accounts

FIRST_ADMIN_HINT = """\
This forum has no administrator yet. Create one with:

    forumapp create-admin --username admin --email you@example.org
"""


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--debug", is_flag=True, help="Use Werkzeug's reloading debug server instead.")
@pass_script_info
def run_command(info: ScriptInfo, host: str, port: int, threads: int, debug: bool) -> None:
    """Upgrade the schema and serve the forum."""
    app = info.load_app()
    if not app.config.get("EXTERNAL_URL"):
        # Links in emails and feeds name the address served here, never a request's Host.
        app.config["EXTERNAL_URL"] = served_base_url(host, port)
    upgrade_schema(app)
    with app.app_context():
        if not admin_accounts().has_admin():
            click.echo(FIRST_ADMIN_HINT)
    click.echo(f"forumapp is serving on http://{host}:{port}/  (press Ctrl+C to stop)")
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    serve(app, host=host, port=port, threads=threads, ident="forumapp", **proxy_options(app))


def proxy_options(app: Flask) -> dict[str, Any]:
    """Waitress options that hand ``X-Forwarded-*`` on to the app when proxies are trusted.

    Waitress strips those headers unless told otherwise, so ``PROXY_FIX_X_FOR`` would have
    nothing to read and every client behind the proxy would share one address (and one
    login budget). The app's ``ProxyFix`` trusts exactly ``PROXY_FIX_X_FOR`` and
    ``PROXY_FIX_X_PROTO`` hops, as under gunicorn; waitress's own ``trusted_proxy`` would
    apply them a second time.
    """
    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        return {"clear_untrusted_proxy_headers": False}
    return {}


def served_base_url(host: str, port: int) -> str:
    """The base URL of ``forumapp run --host HOST --port PORT`` as seen from this machine."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding to it
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def create_app_for_cli() -> Flask:
    """The app, with configuration problems reported as a plain error message."""
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


class ForumappGroup(FlaskGroup):
    """Flask's CLI group, listing its commands in ``--help`` even when the configuration
    is unusable: the problems are shown as one error, as for any command, where Flask's
    group would print a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except click.ClickException as exc:
            click.secho(f"Error: {exc.format_message()}\n", err=True, fg="red")
            # The commands that need no app: the app's own could not be loaded.
            return sorted(super(FlaskGroup, self).list_commands(ctx))
        return super().list_commands(ctx)


cli = ForumappGroup(
    name="forumapp",
    create_app=create_app_for_cli,
    add_default_commands=False,
    help="Run and manage a forumapp forum.",
)
cli.add_command(run_command)
cli.add_command(shell_command)
cli.add_command(routes_command)


def main() -> None:
    """Console script entry point."""
    cli.main(prog_name="forumapp")

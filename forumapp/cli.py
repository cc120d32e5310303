"""The ``forumapp`` command: Flask's CLI bound to :func:`forumapp.create_app`.

``forumapp run`` serves with waitress, a production-grade WSGI server, after bringing
the database schema up to date; ``db`` (Flask-Migrate) and ``create-admin`` come from
the app, so ``flask --app forumapp ...`` offers them too. ``--help`` lists forumapp's own
commands; Flask's developer helpers live under ``forumapp dev``.
"""

from __future__ import annotations

import copy
from importlib.metadata import version
from typing import Any

import click
from flask import Flask
from flask.cli import (
    AppGroup,
    FlaskGroup,
    ScriptInfo,
    pass_script_info,
    routes_command,
    shell_command,
)
from werkzeug.serving import is_running_from_reloader, run_simple

from forumapp.app import create_app
from forumapp.config import ConfigError
from forumapp.database import upgrade_schema
from forumapp.jobs.consumer import start_in_process
from forumapp.serving import check_port_free, listening_server, startup_block
from forumapp.setup.console import first_run_hint

#: Options Flask's group adds that mean nothing to forumapp's users: the app is fixed, and
#: ``forumapp run --debug`` is the debug switch. They still work, unlisted.
FLASK_GROUP_OPTIONS = ("env_file", "app", "debug")
#: Commands extensions add to the app (Flask-Limiter's ``limiter``): they work, unlisted.
UNLISTED_COMMANDS = ("limiter",)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--debug", is_flag=True, help="Use Werkzeug's reloading debug server instead.")
@pass_script_info
def run_command(info: ScriptInfo, host: str, port: int, threads: int, debug: bool) -> None:
    """Serve the forum, upgrading the database schema first."""
    app = info.load_app()
    base_url = served_base_url(host, port)
    if not app.config.get("EXTERNAL_URL"):
        # Links in emails and feeds name the address served here, never a request's Host.
        app.config["EXTERNAL_URL"] = base_url
    if debug and is_running_from_reloader():
        # Werkzeug's reloader restarts this command in a child process on every code change;
        # the parent holds the port and has said (and issued) everything already.
        start_jobs_consumer(app)
        serve_with_reloader(app, host, port)
        return
    if debug:
        check_port_free(host, port)
    else:
        server = listening_server(app, host, port, threads, **proxy_options(app))
    upgraded = upgrade_schema(app)
    if upgraded:
        click.echo(f"Upgraded the database to {upgraded}.")
    hint = first_run_hint(app, base_url)
    if hint:
        click.echo(hint)
    click.echo(startup_block(app, base_url))
    if debug:
        serve_with_reloader(app, host, port)
        return
    start_jobs_consumer(app)
    server.run()


def start_jobs_consumer(app: Flask) -> None:
    """On the embedded default, the background jobs (emails) run in this process, so
    ``forumapp run`` alone is a whole forum; a separate ``forumapp worker`` takes over
    when ``JOBS_IN_PROCESS`` is off."""
    if app.config["JOBS_IN_PROCESS"] and not app.config["JOBS_IMMEDIATE"]:
        start_in_process(app)


def serve_with_reloader(app: Flask, host: str, port: int) -> None:
    """Werkzeug's debug server with its reloader. Not ``app.run()``: Flask ignores that
    call inside a command of its CLI group."""
    app.debug = True
    run_simple(host, port, app, use_reloader=True, use_debugger=True, threaded=True)


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


def print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: forumapp's own version, from its installed metadata."""
    if value and not ctx.resilient_parsing:
        click.echo(f"forumapp {version('forumapp')}")
        ctx.exit()


class ForumappGroup(FlaskGroup):
    """Flask's CLI group, listing forumapp's own commands and options in ``--help`` with
    their whole one-line descriptions, even when the configuration is unusable: the
    problems are shown as one error, as for any command, where Flask's group would print a
    traceback."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(add_version_option=False, **kwargs)
        self.params = [_unlisted(p) if p.name in FLASK_GROUP_OPTIONS else p for p in self.params]
        self.params.append(
            click.Option(
                ["--version"],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=print_version,
                help="Show forumapp's version and exit.",
            )
        )

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except click.ClickException as exc:
            click.secho(f"Error: {exc.format_message()}\n", err=True, fg="red")
            # The commands that need no app: the app's own could not be loaded.
            return sorted(super(FlaskGroup, self).list_commands(ctx))
        return [name for name in super().list_commands(ctx) if name not in UNLISTED_COMMANDS]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                # No width limit: click would cut the description short with "...".
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _unlisted(option: click.Parameter) -> click.Parameter:
    # A copy: Flask's option objects are shared by every FlaskGroup, `flask` itself too.
    unlisted = copy.copy(option)
    if isinstance(unlisted, click.Option):
        unlisted.hidden = True
    return unlisted


dev_group = AppGroup("dev", help="Developer tools: the URL map and a Python shell in the app.")
dev_group.add_command(routes_command)
dev_group.add_command(shell_command)

cli = ForumappGroup(
    name="forumapp",
    create_app=create_app_for_cli,
    add_default_commands=False,
    help="Run and manage a forumapp forum.",
)
cli.add_command(run_command)
cli.add_command(dev_group)


def main() -> None:
    """Console script entry point."""
    cli.main(prog_name="forumapp")

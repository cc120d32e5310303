"""What ``forumapp run`` says when it starts, and the server it starts: the short block
that tells where the forum lives, and a listening socket that fails with one clear line."""

from __future__ import annotations

import errno
import logging
import socket
from importlib.metadata import version
from typing import Any

import click
from flask import Flask
from sqlalchemy.engine import make_url
from waitress import create_server
from waitress.server import BaseWSGIServer, MultiSocketServer

from forumapp.jobs.consumer import queue_location

#: How each mail backend is described on the console.
MAIL_BACKENDS = {
    "console": "console (emails are printed here)",
    "file": "file (emails are written to MAIL_FILE_PATH)",
    "locmem": "locmem (emails are kept in memory, never sent)",
}


def database_location(uri: str) -> str:
    """The database as the owner finds it: a SQLite file's path, or the URL without its
    password."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        return url.database or "(in memory)"
    return url.render_as_string(hide_password=True)


def mail_backend(config: dict[str, Any]) -> str:
    """The mail backend, with where an SMTP server is."""
    backend = str(config["MAIL_BACKEND"])
    if backend == "smtp":
        return f"smtp via {config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    return MAIL_BACKENDS.get(backend, backend)


def jobs_line(app: Flask) -> str:
    """The job queue, and who runs its jobs."""
    if app.config["JOBS_IMMEDIATE"]:
        return "run as they are enqueued (JOBS_IMMEDIATE)"
    runner = "a thread of this process" if app.config["JOBS_IN_PROCESS"] else "forumapp worker"
    return f"{queue_location(app)}, run by {runner}"


def startup_block(app: Flask, base_url: str) -> str:
    """The lines ``forumapp run`` prints before it serves."""
    return "\n".join(
        [
            f"forumapp {version('forumapp')} is serving on {base_url}/  (press Ctrl+C to stop)",
            f"  database  {database_location(app.config['SQLALCHEMY_DATABASE_URI'])}",
            f"  mail      {mail_backend(app.config)}",
            f"  jobs      {jobs_line(app)}",
            f"  instance  {app.instance_path}",
        ]
    )


def cannot_listen(host: str, port: int, error: OSError) -> click.ClickException:
    """One line saying why the server cannot listen on ``host:port``."""
    if error.errno == errno.EADDRINUSE:
        return click.ClickException(
            f"Port {port} on {host} is already in use: stop the program using it, "
            "or choose another port with --port."
        )
    return click.ClickException(f"Cannot listen on {host}:{port}: {error.strerror or error}.")


def listening_server(
    app: Flask, host: str, port: int, threads: int, **options: Any
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server already listening on ``host:port``, so that a port in use stops
    ``forumapp run`` before it touches the database or prints anything else."""
    # As waitress.serve does, so that its warnings (a full task queue) reach the console.
    logging.basicConfig()
    try:
        return create_server(
            app, host=host, port=port, threads=threads, ident="forumapp", **options
        )
    except OSError as exc:
        raise cannot_listen(host, port, exc) from exc


def check_port_free(host: str, port: int) -> None:
    """Stop with one line when ``host:port`` cannot be listened on (for Werkzeug's debug
    server, which would print a page of its own)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            # As Werkzeug's server does: a port left in TIME_WAIT by a stopped server is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise cannot_listen(host, port, exc) from exc

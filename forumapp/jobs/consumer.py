"""The job consumer: ``forumapp worker``'s, or the thread ``forumapp run`` starts."""

from __future__ import annotations

import logging
import signal
from urllib.parse import urlsplit

from flask import Flask
from huey.consumer import Consumer

from forumapp.jobs.factories import jobs_of, recover_and_relay
from forumapp.jobs.queue import queue_url

#: The signals Huey's consumer claims when it starts.
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def queue_location(app: Flask) -> str:
    """Where the queue is, as the owner finds it: a file's path, or the URL without its
    password."""
    url = queue_url(app)
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    parts = urlsplit(url)
    if parts.password is not None:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def consumer(app: Flask, workers: int) -> Consumer:
    """A Huey consumer of ``app``'s queue with ``workers`` threads, after taking back the
    jobs whose worker stopped and relaying what is pending (the periodic relay would,
    within a minute)."""
    recover_and_relay(app)
    return jobs_of(app).huey.create_consumer(workers=workers, worker_type="thread")


def start_in_process(app: Flask) -> Consumer:
    """Start a one-thread consumer beside the web server of ``forumapp run``.

    Huey's consumer takes over SIGINT and SIGTERM for its own shutdown; the server keeps
    them, so Ctrl+C stops ``forumapp run`` as before (the consumer's threads are daemons).
    """
    logging.getLogger("huey").setLevel(logging.WARNING)
    started = consumer(app, workers=1)
    saved = {number: signal.getsignal(number) for number in _SIGNALS}
    started.start()
    for number, handler in saved.items():
        signal.signal(number, handler)
    return started

"""The benchmark databases: the FlaskBB reference shape, or one of ``forumapp demo``'s scales.

Each shape gets its own instance folder under ``bench/.data/`` (SQLite database and secret
key), built once and reused by later runs until ``--rebuild``. A ``shape.json`` written
after a successful build marks the folder as complete.

With ``--database-url`` the shape is built in that (empty) PostgreSQL database instead,
and its instance folder, named ``<scale>-seed<N>-postgresql``, keeps only the secret key
and the marker. The benchmark never drops a database: to build it again, drop and create
it yourself and delete the folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_shape import build_reference
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
MARKER = "shape.json"

#: ``default`` is built here; the others are ``forumapp demo --scale NAME``.
SCALES = ("default", "tiny", "small", "large")
#: FlaskBB's page sizes, used for every shape so that pages hold the same amount of work.
TOPICS_PER_PAGE = 10
POSTS_PER_PAGE = 10
#: A long build is stopped rather than left running forever.
BUILD_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class Shape:
    """A built benchmark database."""

    scale: str
    seed: int
    instance: Path
    #: What the build reported, and how long it took.
    info: dict[str, Any]


def instance_dir(scale: str, seed: int, database_url: str | None = None) -> Path:
    """The instance folder of a shape (in SQLite, or in the database of ``database_url``)."""
    suffix = f"-{make_url(database_url).get_backend_name()}" if database_url else ""
    return DATA_DIR / f"{scale}-seed{seed}{suffix}"


def server_environment(instance: Path, database_url: str | None = None) -> dict[str, str]:
    """``FORUMAPP_*`` settings of every forumapp process in a run (values are JSON)."""
    database = {"FORUMAPP_SQLALCHEMY_DATABASE_URI": database_url} if database_url else {}
    return database | {
        "FORUMAPP_INSTANCE_PATH": str(instance),
        # The load generator is one client hammering the server: limits would throttle it.
        "FORUMAPP_RATELIMIT_ENABLED": "false",
        "FORUMAPP_TOPICS_PER_PAGE": str(TOPICS_PER_PAGE),
        "FORUMAPP_POSTS_PER_PAGE": str(POSTS_PER_PAGE),
        # Mail stays in the process (nothing is sent during a benchmark anyway).
        "FORUMAPP_MAIL_BACKEND": "locmem",
    }


def isolate_environment(instance: Path, database_url: str | None = None) -> list[str]:
    """Replace every ``FORUMAPP_*`` variable of this process by the benchmark's own.

    Returns the names of the variables that were dropped, so the caller can say so: a
    ``FORUMAPP_CONFIG`` or database URI from the shell must not leak into a benchmark.
    """
    dropped = sorted(name for name in os.environ if name.startswith("FORUMAPP_"))
    for name in dropped:
        del os.environ[name]
    os.environ.update(server_environment(instance, database_url))
    return dropped


def ensure_shape(scale: str, seed: int, *, rebuild: bool, database_url: str | None = None) -> Shape:
    """The shape's database, built now unless a complete one is already there."""
    instance = instance_dir(scale, seed, database_url)
    marker = instance / MARKER
    if marker.exists() and not rebuild:
        return Shape(scale, seed, instance, json.loads(marker.read_text(encoding="utf-8")))
    if database_url and marker.exists():
        raise SystemExit(
            f"--rebuild does not drop databases: drop and create {hidden(database_url)} "
            f"yourself, delete {instance}, and run again without --rebuild."
        )
    if instance.exists():
        shutil.rmtree(instance)
    instance.mkdir(parents=True)
    started = time.monotonic()
    if scale == "default":
        info = _build_reference(seed)
    else:
        info = _build_with_cli(scale, seed, os.environ)
    info |= {"scale": scale, "seed": seed, "build_seconds": round(time.monotonic() - started, 1)}
    if database_url:
        _settle(database_url)
        info["database"] = hidden(database_url)
    marker.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return Shape(scale, seed, instance, info)


def _settle(database_url: str) -> None:
    """VACUUM ANALYZE a freshly built PostgreSQL database: what autovacuum does on a live
    one (planner statistics, visibility map, GIN pending lists) before anyone measures it.
    """
    print("VACUUM ANALYZE ...")
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def hidden(database_url: str) -> str:
    """A database URL without its password, to print and to keep in results."""
    return make_url(database_url).render_as_string(hide_password=True)


def _build_reference(seed: int) -> dict[str, Any]:
    """The FlaskBB shape, in this process, with forumapp's own demo builder."""
    print("Building the reference shape (FlaskBB's: 50 users, 3 forums, 200 topics) ...")
    return build_reference(seed)


def _build_with_cli(scale: str, seed: int, env: Mapping[str, str]) -> dict[str, Any]:
    """``forumapp demo --scale SCALE``, with its progress bar on the terminal."""
    forumapp = Path(sys.executable).with_name("forumapp")
    command = [str(forumapp), "demo", "--scale", scale, "--seed", str(seed)]
    print("Building the database:", " ".join(command[1:]))
    subprocess.run(command, env=dict(env), check=True, timeout=BUILD_TIMEOUT_SECONDS)  # noqa: S603
    return {"built_by": " ".join(["forumapp", *command[1:]])}

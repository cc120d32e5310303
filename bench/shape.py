"""The benchmark databases: the FlaskBB reference shape, or one of ``forumapp demo``'s scales.

Each shape gets its own instance folder under ``bench/.data/`` (SQLite database and secret
key), built once and reused by later runs until ``--rebuild``. A ``shape.json`` written
after a successful build marks the folder as complete.
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


def instance_dir(scale: str, seed: int) -> Path:
    """The instance folder of a shape."""
    return DATA_DIR / f"{scale}-seed{seed}"


def server_environment(instance: Path) -> dict[str, str]:
    """``FORUMAPP_*`` settings of every forumapp process in a run (values are JSON)."""
    return {
        "FORUMAPP_INSTANCE_PATH": str(instance),
        # The load generator is one client hammering the server: limits would throttle it.
        "FORUMAPP_RATELIMIT_ENABLED": "false",
        "FORUMAPP_TOPICS_PER_PAGE": str(TOPICS_PER_PAGE),
        "FORUMAPP_POSTS_PER_PAGE": str(POSTS_PER_PAGE),
        # Mail stays in the process (nothing is sent during a benchmark anyway).
        "FORUMAPP_MAIL_BACKEND": "locmem",
    }


def isolate_environment(instance: Path) -> list[str]:
    """Replace every ``FORUMAPP_*`` variable of this process by the benchmark's own.

    Returns the names of the variables that were dropped, so the caller can say so: a
    ``FORUMAPP_CONFIG`` or database URI from the shell must not leak into a benchmark.
    """
    dropped = sorted(name for name in os.environ if name.startswith("FORUMAPP_"))
    for name in dropped:
        del os.environ[name]
    os.environ.update(server_environment(instance))
    return dropped


def ensure_shape(scale: str, seed: int, *, rebuild: bool) -> Shape:
    """The shape's database, built now unless a complete one is already there."""
    instance = instance_dir(scale, seed)
    marker = instance / MARKER
    if marker.exists() and not rebuild:
        return Shape(scale, seed, instance, json.loads(marker.read_text(encoding="utf-8")))
    if instance.exists():
        shutil.rmtree(instance)
    instance.mkdir(parents=True)
    started = time.monotonic()
    if scale == "default":
        info = _build_reference(seed)
    else:
        info = _build_with_cli(scale, seed, os.environ)
    info |= {"scale": scale, "seed": seed, "build_seconds": round(time.monotonic() - started, 1)}
    marker.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return Shape(scale, seed, instance, info)


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

"""What ``forumapp run`` prints about the first administrator: while there is none, a
fresh one-time code for ``/setup`` and the exact ``create-admin`` command of this
environment."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from flask import Flask

from forumapp.setup.codes import SetupCodeFile
from forumapp.users.factories import admin_accounts

FIRST_RUN = """\
This forum has no administrator yet. Open {setup_url} and enter the one-time code

    {code}

or create the administrator from this terminal:

    {executable} create-admin --username admin --email you@example.org
"""


def forumapp_executable() -> str:
    """The path of the ``forumapp`` command of the environment running now, so that the
    printed command works even where ``forumapp`` is not on the ``PATH``."""
    invoked = Path(sys.argv[0])
    if invoked.name == "forumapp" and invoked.is_file():
        return str(invoked.resolve())
    beside_python = Path(sys.executable).parent / "forumapp"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("forumapp") or "forumapp"


def first_run_hint(app: Flask, base_url: str) -> str | None:
    """Issue a new setup code and say how to create the first administrator, or, once
    one exists, discard any code left over and return ``None``."""
    with app.app_context():
        has_admin = admin_accounts().has_admin()
    code_file = SetupCodeFile(app.instance_path)
    if has_admin:
        code_file.discard()
        return None
    return FIRST_RUN.format(
        setup_url=f"{base_url}/setup",
        code=code_file.issue(),
        executable=shlex.quote(forumapp_executable()),
    )

"""A plugin that ships one theme, ``harbour``, and nothing else."""

from __future__ import annotations

from pathlib import Path

from forumapp.plugins import hookimpl

#: The theme's folder, next to this module.
HARBOUR = Path(__file__).parent / "harbour"


@hookimpl
def forumapp_themes() -> list[Path]:
    return [HARBOUR]

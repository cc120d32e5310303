"""``forumapp translations ...``: the Babel catalogue workflow, with forumapp's paths filled in.

``extract`` and ``update`` read the sources, so they run in a checkout (next to
``babel.cfg``); ``compile`` runs anywhere and is what a deployment needs after editing a
``.po`` file.
"""

from __future__ import annotations

import contextlib
from importlib.metadata import version
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask.cli import AppGroup

from forumapp.i18n import TRANSLATIONS

#: The repository root of a checkout: ``babel.cfg``, ``forumapp/`` and ``templates/``.
CHECKOUT = TRANSLATIONS.parent.parent
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "lazy_ngettext:1,2")

translations_group = AppGroup(
    "translations", help="Extract, update and compile the translation catalogues."
)


def pybabel(*arguments: str) -> None:
    """Run one ``pybabel`` command; a failure stops the CLI with Babel's message."""
    try:
        CommandLineInterface().run(["pybabel", "-q", *arguments])  # type: ignore[no-untyped-call]
    except SystemExit as exc:  # Babel exits on bad input; turn it into a CLI error.
        if exc.code:
            raise click.ClickException(f"pybabel {arguments[0]} failed ({exc.code}).") from exc


def _require_checkout() -> None:
    if not (CHECKOUT / "babel.cfg").is_file():
        raise click.ClickException(
            "Extracting needs forumapp's source checkout (babel.cfg was not found next to "
            f"{TRANSLATIONS.parent})."
        )


def extract(output: Path | None = None) -> None:
    """Write ``output`` (``messages.pot``) from every marked string in the code and
    templates."""
    _require_checkout()
    keywords = [part for keyword in KEYWORDS for part in ("-k", keyword)]
    # From the checkout's root, so the catalogue names files by their repository paths.
    with contextlib.chdir(CHECKOUT):
        pybabel(
            "extract", "-F", "babel.cfg", "--no-wrap", "--sort-by-file", "--project", "forumapp",
            "--version", version("forumapp"), "--copyright-holder", "forumapp's authors",
            *keywords, "-o", str(output or _template()), ".",
        )  # fmt: skip


@translations_group.command("extract")
def extract_command() -> None:
    """Write forumapp/translations/messages.pot from the marked strings."""
    extract()
    click.echo(f"Wrote {_template()}.")


@translations_group.command("init")
@click.argument("language")
def init_command(language: str) -> None:
    """Start a catalogue for LANGUAGE (a code such as de, es or ar)."""
    extract()
    pybabel("init", "-i", str(_template()), "-d", str(_folder()), "-l", language, "--no-wrap")
    click.echo(f"Started {_folder() / language / 'LC_MESSAGES' / 'messages.po'}.")


@translations_group.command("update")
def update_command() -> None:
    """Extract, then merge new and changed strings into every catalogue."""
    extract()
    if not _catalogues():
        click.echo("No catalogues yet: start one with `forumapp translations init LANGUAGE`.")
        return
    pybabel(
        "update", "-i", str(_template()), "-d", str(_folder()), "--no-wrap", "--ignore-obsolete"
    )
    click.echo(f"Updated {len(_catalogues())} catalogue(s).")


@translations_group.command("compile")
def compile_command() -> None:
    """Compile every catalogue into the .mo files the app reads."""
    if not _catalogues():
        click.echo("No catalogues to compile.")
        return
    pybabel("compile", "-d", str(_folder()), "--statistics")
    click.echo(f"Compiled {len(_catalogues())} catalogue(s).")


def _folder() -> Path:
    # Looked up on each call, so that tests can point the commands at a scratch folder.
    return TRANSLATIONS


def _template() -> Path:
    return _folder() / "messages.pot"


def _catalogues() -> list[Path]:
    return sorted(_folder().glob("*/LC_MESSAGES/messages.po"))

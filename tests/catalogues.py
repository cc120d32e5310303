"""Tiny translation catalogues compiled into a scratch folder, so that tests of the
translation machinery never depend on forumapp's real catalogues."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

#: A msgid, or a (singular, plural) pair → its translation, or its plural forms.
Messages = Mapping[str | tuple[str, str], str | Sequence[str]]


def compile_catalogue(folder: Path, language: str, messages: Messages) -> Path:
    """Write ``folder/<language>/LC_MESSAGES/messages.mo`` holding ``messages``; returns
    ``folder``, ready for ``BABEL_TRANSLATION_DIRECTORIES``."""
    catalogue = Catalog(locale=language)
    for msgid, translation in messages.items():
        string = translation if isinstance(translation, str) else tuple(translation)
        catalogue.add(msgid, string)
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalogue)
    return folder

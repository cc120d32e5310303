"""``forumapp translations ...`` and the catalogue template kept in step with the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from forumapp.i18n import TRANSLATIONS
from forumapp.i18n import cli as translations_cli


def message_ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {str(message.id) for message in read_po(handle) if message.id}


def test_the_committed_template_holds_exactly_the_marked_strings(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    translations_cli.extract(fresh)
    committed = message_ids(TRANSLATIONS / "messages.pot")
    assert message_ids(fresh) == committed, (
        "forumapp/translations/messages.pot is out of date: run `forumapp translations update`"
    )
    assert "Language" in committed


def test_init_update_and_compile_make_a_catalogue_the_app_reads(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(translations_cli, "TRANSLATIONS", tmp_path)
    runner = app.test_cli_runner()
    assert "No catalogues to compile." in runner.invoke(args=["translations", "compile"]).output
    started = runner.invoke(args=["translations", "init", "de"])
    assert started.exit_code == 0, started.output
    catalogue = tmp_path / "de" / "LC_MESSAGES" / "messages.po"
    assert "Language" in message_ids(catalogue)
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(
        text.replace('msgid "Language"\nmsgstr ""', 'msgid "Language"\nmsgstr "Sprache"'),
        encoding="utf-8",
    )
    updated = runner.invoke(args=["translations", "update"])
    assert updated.exit_code == 0 and "Updated 1 catalogue(s)." in updated.output
    compiled = runner.invoke(args=["translations", "compile"])
    assert compiled.exit_code == 0, compiled.output
    assert (tmp_path / "de" / "LC_MESSAGES" / "messages.mo").is_file()

    from flask_babel import force_locale, gettext, refresh

    app.extensions["babel"].translation_directories = [str(tmp_path)]
    with app.test_request_context():
        refresh()
        with force_locale("de"):
            assert gettext("Language") == "Sprache"

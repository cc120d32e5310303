"""The shipped catalogues are complete and sound: each of ``de``, ``es`` and ``ar`` has
every message of ``messages.pot`` translated, none fuzzy, with the same placeholders and
markup as the English, Arabic with its six plural forms, and a compiled ``.mo`` that says
exactly what its ``.po`` says.

The ``.mo`` files are committed next to their ``.po`` rather than compiled by a build
hook: a checkout, an editable install and a wheel built by any front end then read the
same files, the build needs nothing but hatchling, and this test (not the packager)
catches a ``.po`` edited without ``forumapp translations compile``. That
``messages.pot`` matches the sources is tested in test_translations_cli.py.
"""

from __future__ import annotations

import re
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from forumapp.i18n import TRANSLATIONS
from forumapp.settings import LANGUAGES

SHIPPED = ("de", "es", "ar")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")
#: CLDR's plural rules, as the catalogues must declare them.
PLURAL_FORMS = {
    "de": (2, "(n != 1)"),
    "es": (2, "(n != 1)"),
    "ar": (
        6,
        "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
    ),
}


def load(language: str) -> Catalog:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def template_ids() -> set[object]:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def translated(catalogue: Catalog) -> list[Message]:
    return [message for message in catalogue if message.id]


def forms(message: Message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, (list, tuple)) else [string]


def key(msgid: object) -> object:
    """A msgid as a dictionary key: a plural's (singular, plural) as a tuple."""
    return tuple(msgid) if isinstance(msgid, (list, tuple)) else msgid


def originals(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def test_every_shipped_language_is_offered_by_default() -> None:
    assert set(SHIPPED) | {"en"} == set(LANGUAGES)
    for language in SHIPPED:
        assert (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").is_file(), language


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalogue = load(language)
    ids = {message.id for message in translated(catalogue)}
    assert ids == template_ids(), "run `forumapp translations update`, then translate"
    # pybabel compile skips a catalogue whose header is fuzzy: the language would be English.
    assert not catalogue.fuzzy, f"{language}: the catalogue's header is marked fuzzy"
    fuzzy = [message.id for message in translated(catalogue) if message.fuzzy]
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:10]}"
    untranslated = [message.id for message in translated(catalogue) if not all(forms(message))]
    assert not untranslated, f"{language}: not translated: {untranslated[:10]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_placeholders_and_markup_are_those_of_the_english(language: str) -> None:
    catalogue = load(language)
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in catalogue.check()
        for error in errors
        # Babel pairs a plural's first form with the English singular; in Arabic that form
        # is for zero and names the count, which ngettext always supplies as ``num``.
        if not (message.pluralizable and "placeholder 'num'" in str(error))
    ]
    assert not problems, f"{language}: Babel's checkers: {problems[:10]}"
    for message in translated(catalogue):
        english = originals(message)
        # A plural's forms may leave the count out ("one post" for 1), never add a name.
        names = set().union(*(set(PLACEHOLDER.findall(text)) for text in english))
        tags = sorted(TAG.findall(english[-1]))
        for text in forms(message):
            assert set(PLACEHOLDER.findall(text)) - {"num"} <= names, (language, message.id)
            if not message.pluralizable:
                assert set(PLACEHOLDER.findall(text)) == names, (language, message.id, text)
            assert sorted(TAG.findall(text)) == tags, (language, message.id, text)


@pytest.mark.parametrize("language", SHIPPED)
def test_plural_forms_follow_the_languages_rules(language: str) -> None:
    catalogue = load(language)
    count, expression = PLURAL_FORMS[language]
    # Compared by what they choose, not by spelling; Babel's own (CLDR) rule for Spanish
    # has a third form, for millions, that no translation here fills.
    chosen, expected = c2py(catalogue.plural_expr), c2py(expression)
    numbers = [*range(1000), 1_000_000, 2_000_000, 1_000_001]
    assert catalogue.num_plurals == count and all(chosen(n) == expected(n) for n in numbers), (
        f"{language}: the header must say Plural-Forms: nplurals={count}; plural={expression};"
    )
    for message in translated(catalogue):
        if message.pluralizable:
            assert len(forms(message)) == count, (language, message.id)


@pytest.mark.parametrize("language", SHIPPED)
def test_the_compiled_catalogue_says_what_the_po_says(language: str) -> None:
    folder: Path = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as handle:
        compiled = {key(message.id): message.string for message in read_mo(handle) if message.id}
    written = {
        key(message.id): message.string
        for message in translated(load(language))
        if all(forms(message)) and not message.fuzzy
    }

    def normal(strings: dict[object, object]) -> dict[object, object]:
        return {
            key: tuple(value) if isinstance(value, (list, tuple)) else value
            for key, value in strings.items()
        }

    assert normal(compiled) == normal(written), (
        f"{folder / 'messages.mo'} is out of date: run `forumapp translations compile`"
    )

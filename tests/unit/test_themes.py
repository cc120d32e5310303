"""Theme manifests, the catalogue and the loader chain, without Flask."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from forumapp.themes.catalogue import BUILT_IN, find_themes, installed_themes, theme_folders
from forumapp.themes.loader import switch_theme
from forumapp.themes.manifest import ThemeError, read_theme


def make_theme(root: Path, name: str, manifest: str | None = None, **templates: str) -> Path:
    folder = root / name
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(
        manifest if manifest is not None else f'name = "{name}"\nversion = "2"\n'
    )
    for template, source in templates.items():
        (folder / "templates" / template).write_text(source)
    return folder


DEFAULTS = {"page.html": "default page {% include 'part.html' %}", "part.html": "default part"}


def test_forumapp_ships_the_default_and_the_compact_theme() -> None:
    themes = find_themes(theme_folders(BUILT_IN))
    assert set(themes) == {"default", "compact"}
    compact = themes["compact"]
    assert compact.stylesheets == ("compact.css",)
    assert (compact.static / "compact.css").is_file()
    assert (compact.templates / "macros" / "avatar.html").is_file()


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ("name = ", "theme.toml"),
        ('title = "No name"', "name is missing"),
        ('name = "Bad Name"', "name must be"),
        ('name = "ok"\ndescription = "line\\u0007break"', "description"),
        ('name = "ok"\nstylesheets = ["../../etc/passwd.css"]', "stylesheets"),
        ('name = "ok"\nstylesheets = "one.css"', "stylesheets"),
    ],
)
def test_a_bad_manifest_says_what_is_wrong(tmp_path: Path, manifest: str, problem: str) -> None:
    folder = make_theme(tmp_path, "bad", manifest)
    with pytest.raises(ThemeError, match=problem):
        read_theme(folder)


def test_unusable_themes_are_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    instance = tmp_path / "instance"
    make_theme(instance / "themes", "fine")
    make_theme(instance / "themes", "broken", "name = [")
    make_theme(instance / "themes", "compact")  # the built-in one of that name wins
    with caplog.at_level(logging.WARNING):
        themes = installed_themes(str(instance))
    assert set(themes) == {"default", "compact", "fine"}
    assert themes["compact"].folder.parent == BUILT_IN
    assert "broken" in caplog.text
    assert "compact is already installed" in caplog.text


def test_a_theme_overrides_one_template_and_the_rest_are_the_defaults(tmp_path: Path) -> None:
    theme = read_theme(make_theme(tmp_path, "mine", **{"part.html": "theme part"}))
    environment = Environment(loader=DictLoader(DEFAULTS), autoescape=True)
    assert environment.get_template("page.html").render() == "default page default part"
    switch_theme(environment, theme)
    assert environment.get_template("page.html").render() == "default page theme part"
    switch_theme(environment, None)
    assert environment.get_template("page.html").render() == "default page default part"


def test_a_broken_theme_template_falls_back_to_the_default_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    theme = read_theme(make_theme(tmp_path, "broken", **{"part.html": "{% if %}unclosed"}))
    environment = Environment(loader=DictLoader(DEFAULTS), autoescape=True)
    switch_theme(environment, theme)
    with caplog.at_level(logging.WARNING):
        assert environment.get_template("page.html").render() == "default page default part"
    assert "part.html is broken" in caplog.text


@pytest.mark.parametrize(
    "source",
    [
        "{{ missing.attribute.deeper }}",  # an undefined name, used
        "{{ 1 // zero }}",  # an error of the template's own arithmetic
        "{% include 'nowhere.html' %}",  # a template that exists nowhere
    ],
)
def test_a_theme_template_that_raises_while_rendering_gives_way_to_the_defaults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, source: str
) -> None:
    theme = read_theme(make_theme(tmp_path, "faulty", **{"part.html": source}))
    environment = Environment(loader=DictLoader(DEFAULTS), autoescape=True)
    switch_theme(environment, theme)
    with caplog.at_level(logging.WARNING):
        assert environment.get_template("page.html").render(zero=0) == "default page default part"
    assert "The theme's template part.html failed while rendering page.html" in caplog.text
    # The next page again tries the theme (it may have been fixed), not a remembered verdict.
    (theme.templates / "part.html").write_text("theme part")
    switch_theme(environment, theme)
    assert environment.get_template("page.html").render() == "default page theme part"


def test_an_error_of_a_default_template_is_not_blamed_on_the_theme(tmp_path: Path) -> None:
    theme = read_theme(make_theme(tmp_path, "innocent", **{"part.html": "theme part"}))
    defaults = {**DEFAULTS, "page.html": "{{ 1 // zero }} {% include 'part.html' %}"}
    environment = Environment(loader=DictLoader(defaults), autoescape=True)
    switch_theme(environment, theme)
    with pytest.raises(ZeroDivisionError):
        environment.get_template("page.html").render(zero=0)


def test_no_theme_no_second_chance(tmp_path: Path) -> None:
    environment = Environment(loader=DictLoader({"page.html": "{{ 1 // zero }}"}), autoescape=True)
    switch_theme(environment, None)
    with pytest.raises(ZeroDivisionError):
        environment.get_template("page.html").render(zero=0)


def test_a_theme_without_templates_changes_no_template(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "theme.toml").write_text('name = "plain"\nstylesheets = ["plain.css"]\n')
    environment = Environment(loader=DictLoader(DEFAULTS), autoescape=True)
    switch_theme(environment, read_theme(folder))
    assert environment.get_template("page.html").render() == "default page default part"

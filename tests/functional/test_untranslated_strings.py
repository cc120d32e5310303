"""No user-visible English outside gettext: every template's literal text and the
attributes people read (``title``, ``alt``, ``aria-label``, ``placeholder``, a button's
``value``), and in Python every ``flash()`` message and WTForms field label.

Templates are read through Jinja's own parser (``env.parse``): what ``{{ _() }}``,
``ngettext()`` or ``{% trans %}`` outputs is an expression, and only the literal text
between expressions is left to check, as an HTML parser sees it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from forumapp.resources import template_folder

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(template_folder())
SUFFIXES = (".html", ".txt", ".xml")

#: Words that are the same in every language forumapp ships, so they stay outside gettext.
ALLOWED_WORDS = {
    "forumapp",  # the software's name, in the footer and the feeds' generator
    "API",  # the name of the interface, as every developer's documentation writes it
    "OpenAPI",  # the specification's name
    "JSON",  # a format's name
    "RSS",  # a format's name
    "Atom",  # a format's name
    "Markdown",  # the formatting syntax's name
}
#: Attributes whose text people read or hear.
READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
#: The ``<input>`` types that show their ``value`` as the button's text.
BUTTON_TYPES = {"submit", "button", "reset"}
#: Elements whose content is code or data, never prose to translate.
CODE_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp"}
#: Stands for an expression's output between the literal parts of a template.
HOLE = "\ue000"
LETTERS = re.compile(r"[^\W\d_]")


def visible_words(text: str) -> str:
    """``text`` without expression holes and allowed words: whatever letters remain are
    English that no gettext call wrote."""
    words = re.sub(rf"[{HOLE}\s]+", " ", text).strip()
    words = " ".join(word for word in re.split(r"[\s/]+", words) if word not in ALLOWED_WORDS)
    return words if LETTERS.search(words) else ""


class _LiteralText(HTMLParser):
    """Collects the literal prose an HTML (or text) stream shows to people."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._code_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            # An input button shows its value; a <button>'s value is data sent with the form.
            read = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_TYPES
            )
            if read and value and (words := visible_words(value)):
                self.found.append(f'<{tag} {name}="{words}">')
        if tag in CODE_ELEMENTS:
            self._code_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in CODE_ELEMENTS and self._code_depth:
            self._code_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._code_depth and (words := visible_words(data)):
            self.found.append(words)


def _literal_stream(node: nodes.Node) -> Iterator[str]:
    """The template's literal text in document order, a hole for everything else."""
    if isinstance(node, nodes.TemplateData):
        yield node.data
    elif isinstance(node, nodes.Expr):
        yield HOLE
    else:
        for child in node.iter_child_nodes():
            yield from _literal_stream(child)
            if not isinstance(child, (nodes.TemplateData, nodes.Output)):
                yield HOLE


def environment() -> Environment:
    """A Jinja environment that parses forumapp's templates (``{% trans %}`` included)."""
    return Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"])


def untranslated(source: str, env: Environment | None = None) -> list[str]:
    """The literal user-visible texts of a template ``source`` that are not translated."""
    tree = (env or environment()).parse(source)
    parser = _LiteralText()
    parser.feed("".join(_literal_stream(tree)))
    parser.close()
    return parser.found


def template_paths() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in SUFFIXES)


def test_the_checker_finds_english_outside_gettext() -> None:
    bad = (
        '<h1>Welcome back</h1><a href="{{ url }}" title="Open it">{{ _("Open") }}</a>'
        '<input type="submit" value="Save"><img alt="A picture" src="x.png">'
        "{% if x %}<p>Hello {{ name }}</p>{% endif %}"
    )
    assert untranslated(bad) == [
        "Welcome back",
        '<a title="Open it">',
        '<input value="Save">',
        '<img alt="A picture">',
        "Hello",
    ]


def test_the_checker_accepts_marked_text_markup_and_allowed_names() -> None:
    good = (
        '<h1>{{ _("Welcome back") }}</h1><a href="/x" title="{{ _("Open it") }}" class="b">'
        "{% trans name=user %}Hello {{ name }}{% endtrans %}</a> &middot; {{ n | number }} "
        '<button type="submit" name="action" value="delete">{{ _("Delete") }}</button>'
        "<code>GET /api/v1/topics</code><p>forumapp · API · RSS/Atom</p>"
        '{{ ngettext("%(num)s post", "%(num)s posts", n) }}<script src="/a.js"></script>'
    )
    assert untranslated(good) == []


@pytest.mark.parametrize(
    "path", template_paths(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_templates_have_no_text_outside_gettext(path: Path) -> None:
    found = untranslated(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: text outside gettext: {found}"


# -- Python: flash() messages and WTForms field labels -----------------------------------

#: The calls that mark a string for translation.
GETTEXT_CALLS = {"_", "_l", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext"}


def _is_literal_text(node: ast.expr) -> bool:
    """A string written in the code (plain, f-string, or concatenated with one)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LETTERS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        # Only its literal parts count: f"{_('Saved.')} {reason}" has none.
        return any(_is_literal_text(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _is_literal_text(node.left) or _is_literal_text(node.right)
    return False


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def unmarked_python(source: str) -> list[str]:
    """``flash()`` calls and WTForms field labels of ``source`` given as bare strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name == "flash":
            texts = node.args[:1]
        elif name.endswith("Field") and name[:1].isupper():
            label = [keyword.value for keyword in node.keywords if keyword.arg == "label"]
            texts = node.args[:1] + label
        else:
            continue
        found += [f"line {node.lineno}: {name}(…)" for text in texts if _is_literal_text(text)]
    return found


def test_the_python_check_finds_bare_strings() -> None:
    source = (
        'flash("Saved.", "success")\n'
        'flash(_("Saved."), "success")\n'
        'name = StringField("Name", validators=[])\n'
        'title = StringField(label=f"Title {n}")\n'
        "flash(f\"{_('Saved.')} {reason}\")\n"
        'ok = StringField(_l("Name"))\n'
        "hidden = HiddenField()\n"
    )
    assert unmarked_python(source) == [
        "line 1: flash(…)",
        "line 3: StringField(…)",
        "line 4: StringField(…)",
    ]


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "forumapp").rglob("*.py")),
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_flashes_and_field_labels_go_through_gettext(path: Path) -> None:
    found = unmarked_python(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: bare strings: {found}"

"""Lazy messages are plain text: a template escapes them and the values put into them."""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

from forumapp.lazy_text import LazyText, lazy_gettext, lazy_ngettext


def render(value: object) -> str:
    return Environment(autoescape=True).from_string("<p>{{ value }}</p>").render(value=value)


def test_a_value_put_into_a_lazy_message_is_escaped_in_a_template() -> None:
    message = lazy_gettext("No member is called %(names)s.", names="<script>alert(1)</script>")
    assert render(message) == "<p>No member is called &lt;script&gt;alert(1)&lt;/script&gt;.</p>"


def test_a_lazy_message_that_names_a_tag_shows_it() -> None:
    message = lazy_gettext("Use the Bearer scheme: Authorization: Bearer <token>.")
    assert render(message) == "<p>Use the Bearer scheme: Authorization: Bearer &lt;token&gt;.</p>"


def test_a_lazy_plural_picks_its_form_and_stays_text() -> None:
    one = lazy_ngettext("%(num)s reply by %(who)s", "%(num)s replies by %(who)s", 1, who="<b>")
    many = lazy_ngettext("%(num)s reply by %(who)s", "%(num)s replies by %(who)s", 3, who="<b>")
    assert isinstance(one, LazyText)
    assert (str(one), render(many)) == ("1 reply by <b>", "<p>3 replies by &lt;b&gt;</p>")
    assert one.__html__() == Markup("1 reply by &lt;b&gt;")

"""Translated messages made when they are shown, and escaped like any other text.

Flask-Babel's ``LazyString`` tells Jinja it is HTML already (it has ``__html__``), so a
value put into one — a topic title, a name someone typed — would reach the page
unescaped, and a message that names ``<token>`` would lose it as an unknown tag.
forumapp's messages are plain text: :class:`LazyText` is a ``LazyString`` that a template
escapes (typed as ``LazyString``, which type checkers take as any text). Services, forms
and views import :func:`lazy_gettext` / :func:`lazy_ngettext`
from here (``pybabel`` finds them by these names, see ``forumapp translations``).
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


class LazyText(LazyString):  # type: ignore[misc]
    """A message translated into the language of the response it ends up in; plain text."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string: str, **variables: object) -> LazyString:
    """``gettext`` when the message is shown: ``lazy_gettext("Hello %(name)s", name=n)``."""
    return LazyText(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: object) -> LazyString:
    """``ngettext`` when the message is shown, with ``%(num)s`` the count."""
    return LazyText(ngettext, singular, plural, num, **variables)

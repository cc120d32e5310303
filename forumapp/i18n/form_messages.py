"""WTForms' own validator messages, completed where WTForms' catalogues are not.

Flask-WTF translates WTForms' messages with WTForms' catalogues. Its Arabic one fills only
two of the six plural forms of the length messages, so "Field cannot be longer than 254
characters" stayed English on an Arabic page. These messages are marked here, so
forumapp's catalogues translate every form, and :class:`FormTranslations` asks them when
WTForms' answer is still the English.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_wtf.i18n import translations as wtforms_translations

from forumapp.lazy_text import lazy_ngettext

#: WTForms' plural messages, marked for forumapp's catalogues (never shown from here).
PLURAL_MESSAGES = (
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
)


class FormTranslations:
    """What forumapp's forms translate WTForms' messages with: WTForms' catalogues (through
    Flask-WTF, in the page's language), then forumapp's for a plural they leave English."""

    def gettext(self, string: str) -> str:
        """WTForms' translation of ``string``."""
        return str(wtforms_translations.gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of ``n`` in WTForms' catalogue, else in forumapp's."""
        text = str(wtforms_translations.ngettext(singular, plural, n))
        if text in (singular, plural):
            return str(get_translations().ungettext(singular, plural, n))
        return text


#: The one instance forms use.
FORM_TRANSLATIONS = FormTranslations()

"""Languages: Flask-Babel picks each page's locale, and the language menu changes it.

The locale is the member's preference, else the guest's cookie from the menu, else the
best match of ``Accept-Language``, else ``DEFAULT_LANGUAGE`` (see :mod:`.selection`);
only codes in ``LANGUAGES`` are ever used. Catalogues live in ``forumapp/translations``
and ship in the wheel; ``forumapp translations ...`` maintains them.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from forumapp.i18n.factories import I18nFactories, default_factories
from forumapp.i18n.forms import LanguageForm
from forumapp.i18n.selection import COOKIE_NAME, choose_locale, text_direction
from forumapp.i18n.views import ChooseLanguage

#: Where forumapp's catalogues are: inside the package, so the wheel carries them.
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    """Flask-Babel's locale selector: gathers the sources :func:`choose_locale` weighs.

    Outside a request (a command, a background job rendering an email) there is nobody's
    browser to ask: the site's default language.
    """
    config = current_app.config
    if not has_request_context():
        return str(config["DEFAULT_LANGUAGE"])
    member = getattr(current_user, "language", None) if current_user else None
    return choose_locale(
        member_choice=member if current_user and current_user.is_authenticated else None,
        cookie=request.cookies.get(COOKIE_NAME),
        accepted=request.accept_languages.values(),
        offered=config["LANGUAGES"],
        default=config["DEFAULT_LANGUAGE"],
    )


def page_locale(default: str) -> str:
    """The language of the page being built, where Flask-Babel is bound (forumapp's own
    app); ``default`` in a host app that mounts forumapp's blueprints without it."""
    if "babel" not in current_app.extensions:
        return default
    return str(get_locale() or default)


@pass_context
def grouped_ngettext(
    context: Context, singular: str, plural: str, num: int, **variables: object
) -> str:
    """Templates' ``ngettext``: ``{{ ngettext("%(num)s post", "%(num)s posts", n) }}``
    picks the form the page's language needs for ``n`` and writes ``n`` with its digit
    grouping ("1,234 posts", "1.234 Beiträge")."""
    # Imported here: forumapp.formatting's filters import this package's selector.
    from forumapp.formatting import number, reader_locale

    variables.setdefault("num", number(num, reader_locale()))
    text = get_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the catalogue is ours, as Jinja trusts it
    return text % variables  # type: ignore[no-any-return]


def configure_i18n(app: Flask) -> None:
    """Bind Flask-Babel (gettext in templates, Babel formats) and the page's language."""
    Babel(
        app,
        locale_selector=select_locale,
        default_locale=app.config["DEFAULT_LANGUAGE"],
        default_translation_directories=str(TRANSLATIONS),
    )
    # Replaces the i18n extension's own: the count reads "1,234 posts", grouped as the
    # page's language groups digits, where the stock one would print "1234".
    app.jinja_env.globals["ngettext"] = grouped_ngettext

    @app.context_processor
    def page_language() -> dict[str, object]:
        code = str(get_locale() or app.config["DEFAULT_LANGUAGE"])
        return {
            "page_language": code.replace("_", "-"),
            "page_direction": text_direction(code),
            "language_form": LanguageForm if len(app.config["LANGUAGES"]) > 1 else None,
        }


def create_i18n_blueprint(factories: I18nFactories | None = None) -> Blueprint:
    """The language menu's endpoint, ``POST /language``."""
    # Imported here: answering domain errors binds this package's host support.
    from forumapp.domain_errors import answer_domain_errors

    f = factories or default_factories()
    blueprint = Blueprint("i18n", __name__)
    answer_domain_errors(blueprint)
    blueprint.add_url_rule(
        "/language",
        view_func=ChooseLanguage.as_view("choose", language_choice_factory=f.language_choice),
    )
    return blueprint

"""forumapp's pages in a host app without Flask-Babel: English, through the same calls.

forumapp's templates call ``_()``, ``ngettext()`` and ``{% trans %}``, and its Python code
``gettext`` and ``lazy_gettext``; all of them need Flask-Babel bound to the app. A host app
that mounts forumapp's blueprints without it gets, when the first of them is registered, a
Flask-Babel configuration with no catalogues: every text is its English msgid, and a
count in ``ngettext`` is grouped as forumapp's own app groups it ("1,234 posts"). A host
that binds Flask-Babel itself, before or after, keeps its own.
"""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app, has_request_context
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import Babel, get_translations
from flask_login import current_user

from forumapp import settings


def member_or_default_language() -> str:
    """The locale of numbers and dates in a host app: the member's language when they
    have one, else the site's ``DEFAULT_LANGUAGE`` (the texts are English either way)."""
    default = str(current_app.config.get("DEFAULT_LANGUAGE", settings.DEFAULT_LANGUAGE))
    # A host app may have no members at all (no Flask-Login), and a job has no request.
    if not has_request_context() or not hasattr(current_app, "login_manager"):
        return default
    return str(getattr(current_user, "language", None) or default)


def speak_without_babel(state: BlueprintSetupState) -> None:
    """``record_once`` hook of forumapp's blueprints: in an app without Flask-Babel, bind
    one without catalogues and give its templates the gettext calls."""
    app = cast(Flask, state.app)
    if "babel" in app.extensions:
        return
    # Imported here: the i18n package imports the blueprints' shared helpers.
    from forumapp.i18n import grouped_ngettext

    Babel(
        app,
        configure_jinja=False,
        default_locale=app.config.get("DEFAULT_LANGUAGE", settings.DEFAULT_LANGUAGE),
        locale_selector=member_or_default_language,
    )
    # No folder at all: Flask-Babel would otherwise look for catalogues in the host's own
    # ``translations/``, which belong to the host's texts.
    app.extensions["babel"].translation_directories = []
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: get_translations().ugettext(message),
        ngettext=lambda singular, plural, n: get_translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals["ngettext"] = grouped_ngettext

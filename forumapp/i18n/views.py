"""``POST /language``: the language menu at the foot of every page."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_login import current_user

from forumapp.forum.errors import InvalidInput
from forumapp.http import home_url, safe_redirect_target
from forumapp.i18n.cookie import remember_language
from forumapp.i18n.forms import LanguageForm
from forumapp.i18n.services import UNKNOWN_LANGUAGE, LanguageChoice


class ChooseLanguage(MethodView):
    """Switch the language: remembered by a cookie, and as a member's preference."""

    init_every_request = False
    methods = ["POST"]

    def __init__(self, language_choice_factory: Callable[[], LanguageChoice]) -> None:
        self.language_choice_factory = language_choice_factory

    def post(self) -> ResponseReturnValue:
        form = LanguageForm()
        if not form.validate_on_submit():
            # Only a missing or stale CSRF token gets here: the menu always sends the rest.
            raise InvalidInput("language", UNKNOWN_LANGUAGE)
        member = current_user.id if current_user.is_authenticated else None
        code = self.language_choice_factory().choose(member, form.language.data or "")
        return remember_language(redirect(safe_redirect_target(form.next.data, home_url())), code)

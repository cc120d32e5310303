"""The base form of every forumapp form, and validators shared between domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Field, Form, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation, ValidationError

from forumapp.lazy_text import lazy_gettext as _l
from forumapp.text import CONTROL_CHARACTERS, MULTILINE_WHITESPACE, has_control_characters


class NoControlCharacters:
    """Refuses control characters (line breaks and tabs too, unless ``multiline``) and
    stops the field's other validators: some of them look the value up in the database."""

    def __init__(self, multiline: bool = False) -> None:
        self.allowed = MULTILINE_WHITESPACE if multiline else frozenset()

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data, self.allowed):
            raise StopValidation(CONTROL_CHARACTERS)


class ForumForm(FlaskForm):  # type: ignore[misc]
    """A CSRF-protected form that refuses control characters in every text field.

    NUL bytes and other control characters are never legitimate in a username, title
    or password, and some databases refuse them outright: each field checks for them
    before anything else, so they become a field error and never reach a query.
    """

    class Meta(FlaskForm.Meta):  # type: ignore[misc]
        def bind_field(self, form: Form, unbound_field: UnboundField, options: Any) -> Field:
            field: Field = super().bind_field(form, unbound_field, options)
            if field.type != "CSRFTokenField":
                check = NoControlCharacters(multiline=isinstance(field, TextAreaField))
                field.validators = [check, *field.validators]
            return field

        def get_translations(self, form: Form) -> Any:
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            # Imported here: the i18n package's own form is a ForumForm.
            from forumapp.i18n.form_messages import FORM_TRANSLATIONS

            return FORM_TRANSLATIONS

        def wrap_formdata(self, form: Form, formdata: Any) -> Any:
            # HTML forms read form fields only. Flask-WTF would also feed a JSON body to
            # the fields unchecked, where lists and numbers break WTForms' string handling.
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata  # data the caller passed explicitly
            if request.method not in SUBMIT_METHODS:
                return None
            if request.files:
                return CombinedMultiDict((request.files, request.form))
            return request.form

    def add_errors(self, errors: Iterable[tuple[str, str]]) -> None:
        """Attach errors found after validation (by a service) to their fields."""
        for name, message in errors:
            field = self._fields.get(name)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


class EmailAddress:
    """Checks an address with email-validator and replaces it by its normalized form."""

    message = _l("Enter a valid email address, such as name@example.org.")

    def __call__(self, form: Form, field: Field) -> None:
        try:
            result = validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(self.message) from exc
        field.data = result.normalized


def strip_filter(value: object) -> object:
    """Trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value

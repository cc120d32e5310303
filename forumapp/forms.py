"""The base form of every forumapp form, and validators shared between domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Field, Form, TextAreaField
from wtforms.validators import ValidationError

from forumapp.text import CONTROL_CHARACTERS, MULTILINE_WHITESPACE, has_control_characters


class ForumForm(FlaskForm):  # type: ignore[misc]
    """A CSRF-protected form that refuses control characters in every text field.

    NUL bytes and other control characters are never legitimate in a username, title
    or password, and some databases refuse them outright: turning them into a field
    error here keeps them from becoming a server error later.
    """

    class Meta(FlaskForm.Meta):  # type: ignore[misc]
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

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and field.type != "CSRFTokenField":
                allowed = MULTILINE_WHITESPACE if isinstance(field, TextAreaField) else frozenset()
                if has_control_characters(field.data, allowed):
                    field.errors = [*field.errors, CONTROL_CHARACTERS]
                    valid = False
        return valid

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

    message = "Enter a valid email address, such as name@example.org."

    def __call__(self, form: Form, field: Field) -> None:
        try:
            result = validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(self.message) from exc
        field.data = result.normalized


def strip_filter(value: object) -> object:
    """Trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value

"""Reading request bodies and query strings into schemas, with problem+json refusals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import Request
from flask_babel import LazyString
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from forumapp.api.problems import FieldError, Problem
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.lazy_text import lazy_ngettext

M = TypeVar("M", bound=BaseModel)


def parse_body(request: Request, schema: type[M]) -> M:
    """A JSON body validated by ``schema``: 415 for another media type, 400 for bad JSON,
    422 naming each invalid field."""
    if request.mimetype != "application/json":
        raise Problem(
            415,
            _l("Send the body as JSON with Content-Type: application/json."),
            headers={"Accept-Patch": "application/json"} if request.method == "PATCH" else {},
        )
    body = request.get_data(cache=False)
    try:
        return schema.model_validate_json(body)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise Problem(
                400,
                _l("The body is not valid JSON."),
                errors=[FieldError("body", "body", _l("Not valid JSON."))],
            ) from None
        raise from_validation_error(exc, "body") from None


def parse_query(request: Request, schema: type[M]) -> M:
    """Query-string parameters validated by ``schema`` (422 naming each invalid one)."""
    try:
        return schema.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise from_validation_error(exc, "query") from None


def from_validation_error(error: ValidationError, location: str) -> Problem:
    """A 422 naming each refused field of a pydantic validation."""
    return Problem(
        422,
        _l("Some fields are invalid; see errors."),
        errors=list(_field_errors(error, location)),
    )


def _field_errors(error: ValidationError, location: str) -> Iterable[FieldError]:
    for item in error.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in item["loc"]) or location
        yield FieldError(location, name, field_message(item))


#: The refusals pydantic words in English, worded for people in their language, by the
#: error's ``type`` (those with a limit are worded by :func:`field_message`).
PYDANTIC_MESSAGES: dict[str, LazyString] = {
    "missing": _l("This field is required."),
    "extra_forbidden": _l("This field is not accepted here."),
    "string_type": _l("Use a string."),
    "int_type": _l("Use a whole number."),
    "int_parsing": _l("Use a whole number."),
    "int_from_float": _l("Use a whole number."),
    "bool_type": _l("Use true or false."),
    "bool_parsing": _l("Use true or false."),
    "model_type": _l("Send a JSON object."),
    "model_attributes_type": _l("Send a JSON object."),
    "dict_type": _l("Send a JSON object."),
}


def field_message(error: ErrorDetails) -> str | LazyString:
    """What a refused field is told: forumapp's own words where it has them, else
    pydantic's message (a custom validator's reason, already in the request's language)."""
    ctx: dict[str, Any] = error.get("ctx", {})
    match error["type"]:
        case "string_too_short":
            return lazy_ngettext(
                "Use at least %(num)s character.",
                "Use at least %(num)s characters.",
                ctx["min_length"],
            )
        case "string_too_long":
            return lazy_ngettext(
                "Use at most %(num)s character.",
                "Use at most %(num)s characters.",
                ctx["max_length"],
            )
        case "greater_than_equal":
            return _l("Use a number of %(limit)s or more.", limit=ctx["ge"])
        case "less_than_equal":
            return _l("Use a number of %(limit)s or less.", limit=ctx["le"])
        case known if known in PYDANTIC_MESSAGES:
            return PYDANTIC_MESSAGES[known]
    # pydantic prefixes messages of custom validators; people need only the reason.
    return error["msg"].removeprefix("Value error, ")

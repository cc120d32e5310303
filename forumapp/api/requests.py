"""Reading request bodies and query strings into schemas, with problem+json refusals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from flask import Request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from forumapp.api.problems import FieldError, Problem

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
        yield FieldError(location, name, _message(item["msg"]))


def _message(text: str) -> str:
    # pydantic prefixes messages of custom validators; people need only the reason.
    return text.removeprefix("Value error, ")

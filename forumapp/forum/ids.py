"""Database ids in URLs, forms and query strings: positive and within the id columns' range.

The primary keys are ``INTEGER`` columns, 32-bit on PostgreSQL: a larger number would
overflow there ("integer out of range") and answer 500; it is simply not an id.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask.blueprints import BlueprintSetupState
from werkzeug.routing import IntegerConverter, Map
from wtforms import Field, Form
from wtforms.validators import ValidationError

from forumapp.lazy_text import lazy_gettext as _l

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<id:name>`` in a URL rule: an integer from 1 to :data:`MAX_ID`."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def install_id_converter(state: BlueprintSetupState) -> None:
    """Make ``<id:...>`` available to the app's URL rules."""
    state.app.url_map.converters["id"] = IdConverter


def is_id(value: object) -> bool:
    """Whether ``value`` can be a database id."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def id_argument(values: Mapping[str, str], name: str) -> int | None:
    """An id from a query string or form, or ``None`` when absent or not an id."""
    raw = values.get(name, "")
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if is_id(number) else None


def ids_only(_form: Form, field: Field) -> None:
    """WTForms validator: every value of the field is an id."""
    values = field.data if isinstance(field.data, list) else [field.data]
    if not all(is_id(value) for value in values if value is not None):
        raise ValidationError(_l("Not a valid id."))

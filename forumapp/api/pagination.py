"""Cursor pagination: pages are id ranges, so a page costs the same at any depth and an
item written meanwhile never shifts the next page.

A cursor is opaque to clients (base64 of a small JSON object); they follow the ``Link``
headers and never build one.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from forumapp.api.problems import FieldError, Problem
from forumapp.forum.ids import is_id
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import DbSession

T = TypeVar("T", covariant=True)

BAD_CURSOR = Problem(
    400,
    _l("The cursor is not valid; take it from a Link header."),
    errors=[FieldError("query", "cursor", _l("Not a cursor this API issued."))],
)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just after ``after`` or just before ``before`` (ids), in the
    listing's own order."""

    after: int | None = None
    before: int | None = None

    def encode(self) -> str:
        """The opaque form put in links."""
        key, value = ("a", self.after) if self.after is not None else ("b", self.before)
        raw = json.dumps({key: value}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor:
        """Read a cursor from a query string; :data:`BAD_CURSOR` when it is not one."""
        if not text:
            return cls()
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise BAD_CURSOR from None
        if not isinstance(data, dict) or len(data) != 1:
            raise BAD_CURSOR
        ((key, value),) = data.items()
        if key not in ("a", "b") or not is_id(value):
            raise BAD_CURSOR
        return cls(after=value) if key == "a" else cls(before=value)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the cursors of its neighbours (``None``: no such page)."""

    items: Sequence[T]
    next: Cursor | None
    prev: Cursor | None


def keyset_page(
    session: DbSession,
    statement: Select[*tuple[Any, ...]],
    key: InstrumentedAttribute[int],
    cursor: Cursor,
    limit: int,
    *,
    descending: bool = False,
) -> Page[Any]:
    """Run ``statement`` for one page ordered by ``key`` (a unique, indexed id column).

    One query: it fetches a row more than asked to learn whether the page has a successor
    in the direction of travel. The page the cursor came from is assumed to exist.
    """
    backwards = cursor.before is not None
    # Going backwards reads the listing in reverse from the cursor, then flips the rows.
    reverse = descending != backwards
    if cursor.after is not None:
        statement = statement.where(key < cursor.after if descending else key > cursor.after)
    if cursor.before is not None:
        statement = statement.where(key > cursor.before if descending else key < cursor.before)
    statement = statement.order_by(key.desc() if reverse else key.asc()).limit(limit + 1)
    rows: Sequence[Any] = session.execute(statement).all()
    more = len(rows) > limit
    rows = list(rows[:limit])
    if backwards:
        rows.reverse()
    if not rows:
        return Page([], None, None)
    first, last = _key_of(rows[0], key), _key_of(rows[-1], key)
    came_from_somewhere = cursor.after is not None or cursor.before is not None
    has_next = more if not backwards else came_from_somewhere
    has_prev = more if backwards else came_from_somewhere
    return Page(
        items=rows,
        next=Cursor(after=last) if has_next else None,
        prev=Cursor(before=first) if has_prev else None,
    )


def _key_of(row: Any, key: InstrumentedAttribute[int]) -> int:
    # The first column is the entity itself, or already its id (column-only selects).
    entity = row[0]
    value = entity if isinstance(entity, int) else getattr(entity, key.key)
    assert isinstance(value, int)
    return value

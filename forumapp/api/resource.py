"""What the generic API views need to know about a resource: its schemas and its service.

A :class:`Resource` is passed to :class:`~forumapp.api.views.GroupAPI` and
:class:`~forumapp.api.views.ItemAPI` through ``as_view(...)``; the OpenAPI document is
generated from the same objects, so the description cannot drift from the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from forumapp.api.callers import Caller
from forumapp.api.pagination import Cursor, Page
from forumapp.api.schemas import Input, Output, PageQuery


class ResourceService(Protocol):
    """The operations behind a resource's URLs. Each checks permissions through the
    caller's actor and raises the forum's domain errors (``NotFound``, ``Forbidden``,
    ``InvalidInput``) or :class:`~forumapp.api.problems.Problem`.

    The ``authorize_*`` methods answer, without changing anything, whether the change
    would be allowed: the views ask them before reading the body and before evaluating
    ``If-Match``, so a caller who may not make a change gets 403 (or 404), never the
    body's validation rules or a 412 (RFC 9110, section 13.2.1)."""

    def list(self, caller: Caller, query: Any, cursor: Cursor) -> Page[Output]:
        """One page of the items the caller may see."""

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> Output:
        """One item; ``lock`` holds it (on databases that can) until the change commits."""

    def authorize_create(self, caller: Caller, data: Any | None) -> None:
        """Refuse a creation the caller may not make: ``data`` is ``None`` before the
        body is read, so who may not create at all learns nothing about the body's rules."""

    def authorize_update(self, caller: Caller, item_id: int, data: Any | None) -> None:
        """Refuse a change the caller may not make (``NotFound`` for an item they may
        not see): with ``data`` ``None`` any change at all, else the one asked for."""

    def authorize_delete(self, caller: Caller, item_id: int) -> None:
        """Refuse a deletion the caller may not make."""

    def create(self, caller: Caller, data: Any) -> Output:
        """A new item."""

    def update(self, caller: Caller, item_id: int, data: Any) -> Output:
        """Change the fields set in ``data``."""

    def delete(self, caller: Caller, item_id: int) -> None:
        """Delete (or soft-delete) an item."""


@dataclass(frozen=True)
class Resource:
    """A collection at ``/<name>/`` and its items at ``/<name>/<id>``."""

    #: Plural, as in the URL: ``topics``.
    name: str
    #: Endpoint of one item: ``topic``.
    singular: str
    schema: type[Output]
    query: type[PageQuery]
    #: Called with no argument, or with the parent's id for a nested collection.
    service_factory: Callable[..., ResourceService]
    create_schema: type[Input] | None = None
    update_schema: type[Input] | None = None
    #: Whether items may be deleted.
    deletable: bool = True
    #: What ``DELETE`` does, for the documentation.
    deletion: str = "Deletes the item for good."
    #: Order of the list, for the documentation.
    order: str = "by id, oldest first"
    #: What the resource is, for the documentation.
    summary: str = ""
    #: The collection the items belong to, for a nested collection at
    #: ``/<parent>/<parent_id>/<name>/`` (``conversations``); ``None`` at the top level.
    parent: str | None = None
    #: Whether each item has a URL of its own (``/<name>/<id>``).
    has_items: bool = True

    def service(self, parent_id: int | None = None) -> ResourceService:
        """The resource's service; a nested collection's is bound to its parent."""
        if parent_id is None:
            return self.service_factory()
        return self.service_factory(parent_id)

    @property
    def group_methods(self) -> list[str]:
        """Methods of the collection URL."""
        return ["GET"] + (["POST"] if self.create_schema else [])

    @property
    def item_methods(self) -> list[str]:
        """Methods of an item URL (none when items have no URL of their own)."""
        if not self.has_items:
            return []
        methods = ["GET"]
        if self.update_schema:
            methods.append("PATCH")
        if self.deletable:
            methods.append("DELETE")
        return methods


def schema_name(model: type[BaseModel]) -> str:
    """The component name of a schema in the OpenAPI document."""
    return model.__name__

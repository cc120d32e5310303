"""The API's views: two generic ``MethodView`` classes serve every resource.

``GroupAPI`` answers the collection (``GET`` a page, ``POST`` a new item) and ``ItemAPI``
one item (``GET``, ``PATCH``, ``DELETE``); each is parameterised through ``as_view(...)``
with a :class:`~forumapp.api.resource.Resource` (its schemas and service factory), and
:func:`forumapp.api.routes.register_api` registers both under their rules, as in Flask's
documentation.
Flask's method dispatch answers 405 with ``Allow`` for anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from werkzeug.datastructures import MultiDict

from forumapp.api import limits
from forumapp.api.callers import current_caller, require_member, require_write
from forumapp.api.conditional import check_if_match, json_response
from forumapp.api.pagination import Cursor, Page
from forumapp.api.requests import parse_body, parse_query
from forumapp.api.resource import Resource
from forumapp.api.schemas import Me, Output
from forumapp.http import external_url

#: Every API view is rate limited per caller and per address. Writes of topics and posts
#: also spend the member's flood-control budget, in the posting service as on the web.
API_DECORATORS: list[Callable[..., Any]] = [limits.per_caller, limits.per_address]


class GroupAPI(MethodView):
    """A collection: ``GET`` one page of items, ``POST`` a new one."""

    decorators = API_DECORATORS
    init_every_request = False

    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    def get(self, parent_id: int | None = None) -> ResponseReturnValue:
        query = parse_query(request, self.resource.query)
        cursor = Cursor.decode(query.cursor)
        page = self.resource.service(parent_id).list(current_caller(), query, cursor)
        return listing_response(page, query.limit)

    def post(self, parent_id: int | None = None) -> ResponseReturnValue:
        caller = current_caller()
        require_write(caller)
        assert self.resource.create_schema is not None
        service = self.resource.service(parent_id)
        # Who may not create at all is told so before the body is looked at.
        service.authorize_create(caller, None)
        data = parse_body(request, self.resource.create_schema)
        item = service.create(caller, data)
        response = json_response(request, item.model_dump(mode="json"), status=201)
        response.headers["Location"] = item_url(self.resource, item, parent_id)
        return response


class ItemAPI(MethodView):
    """One item: ``GET`` it, ``PATCH`` some fields, ``DELETE`` it. Changes honour
    ``If-Match``, so two editors cannot overwrite each other unknowingly."""

    decorators = API_DECORATORS
    init_every_request = False

    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    def get(self, item_id: int) -> ResponseReturnValue:
        item = self.resource.service_factory().get(current_caller(), item_id)
        return json_response(request, item.model_dump(mode="json"))

    def patch(self, item_id: int) -> ResponseReturnValue:
        caller = current_caller()
        require_write(caller)
        assert self.resource.update_schema is not None
        service = self.resource.service_factory()
        service.authorize_update(caller, item_id, None)
        data = parse_body(request, self.resource.update_schema)
        # Preconditions come last, once the request would otherwise succeed
        # (RFC 9110, section 13.2.1): a 412 must not stand in for a 403.
        service.authorize_update(caller, item_id, data)
        check_if_match(request, service.get(caller, item_id, lock=True).model_dump(mode="json"))
        item = service.update(caller, item_id, data)
        return json_response(request, item.model_dump(mode="json"))

    def delete(self, item_id: int) -> ResponseReturnValue:
        caller = current_caller()
        require_write(caller)
        service = self.resource.service_factory()
        service.authorize_delete(caller, item_id)
        check_if_match(request, service.get(caller, item_id, lock=True).model_dump(mode="json"))
        service.delete(caller, item_id)
        return Response(status=204)


class MeAPI(MethodView):
    """The member the request authenticates as (``401`` for anonymous callers)."""

    decorators = API_DECORATORS
    init_every_request = False

    def get(self) -> ResponseReturnValue:
        caller = current_caller()
        user = require_member(caller)
        me = Me(
            id=user.id,
            username=user.username,
            group=user.group.name,
            joined=user.date_joined,
            post_count=user.post_count,
            url=external_url("forum.profile", username=user.username),
            email=user.email,
            language=user.language,
            token_scope=caller.scope.value if caller.scope else None,
        )
        return json_response(request, me.model_dump(mode="json"))


def item_url(resource: Resource, item: Output, parent_id: int | None = None) -> str:
    """The absolute API URL of an item; for items without one (a conversation's
    messages), the collection they were added to."""
    if not resource.has_items:
        return external_url(f".{resource.name}", parent_id=parent_id)
    item_id = getattr(item, "id", None)
    return external_url(f".{resource.singular}", item_id=item_id)


def listing_response(page: Page[Output], limit: int) -> Response:
    """A page of items with ``Link`` headers to its neighbours (and the same in the body)."""
    links = {
        rel: _page_url(cursor, limit)
        for rel, cursor in (("next", page.next), ("prev", page.prev))
        if cursor is not None
    }
    body = {
        "items": [item.model_dump(mode="json") for item in page.items],
        "next": links.get("next"),
        "prev": links.get("prev"),
    }
    response = json_response(request, body)
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return response


def _page_url(cursor: Cursor, limit: int) -> str:
    # Keep the caller's filters; only the cursor (and the page size) change.
    args = MultiDict(request.args)
    args["cursor"] = cursor.encode()
    args["limit"] = str(limit)
    return external_url(request.endpoint or "", **(request.view_args or {}), **args.to_dict())

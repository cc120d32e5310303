"""Mounting the API: its URLs are registered when the app is created, its views are
imported when a worker answers its first API request.

This is Flask's "lazily loading views" pattern. The views need the schema library and the
resource services (about 9 MB per worker); a worker that only serves web pages never
loads them. :data:`ROUTES` names each resource's URLs and methods without importing
anything heavy; a test checks it against :data:`forumapp.api.endpoints.RESOURCES`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState
from flask.typing import RouteCallable
from werkzeug.exceptions import HTTPException

from forumapp import errors
from forumapp.api.limits import add_rate_limit_headers
from forumapp.api.problems import (
    HTTP_DETAILS,
    Problem,
    answer_as_problems,
    from_http_exception,
    problem_response,
)
from forumapp.extensions import csrf
from forumapp.forum.ids import install_id_converter

URL_PREFIX = "/api/v1"
#: The module that builds the view functions (imported on first use).
ENDPOINTS_MODULE = "forumapp.api.endpoints"


@dataclass(frozen=True)
class Route:
    """A resource's URLs: ``/<name>/`` for the collection, ``/<name>/<id>`` for an item."""

    #: Plural, as in the URL, and the collection's endpoint: ``topics``.
    name: str
    #: The item's endpoint: ``topic``.
    singular: str
    group_methods: tuple[str, ...]
    item_methods: tuple[str, ...]
    #: The collection a nested one lives under: ``/<parent>/<parent_id>/<name>/``.
    parent: str | None = None


_WRITABLE = (("GET", "POST"), ("GET", "PATCH", "DELETE"))

#: The resources of version 1, in the order the documentation shows them.
ROUTES: tuple[Route, ...] = (
    Route("categories", "category", *_WRITABLE),
    Route("forums", "forum", *_WRITABLE),
    Route("topics", "topic", *_WRITABLE),
    Route("posts", "post", *_WRITABLE),
    Route("users", "user", ("GET",), ("GET",)),
    Route("conversations", "conversation", ("GET", "POST"), ("GET",)),
    Route("messages", "message", ("GET", "POST"), (), parent="conversations"),
)


class LazyView:
    """A view function that imports and builds the real one on its first call."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        # Flask and Flask-Limiter name views by these, as they would a function.
        self.__name__ = self.__qualname__ = endpoint
        self.__module__ = ENDPOINTS_MODULE

    @cached_property
    def view(self) -> RouteCallable:
        """The real view function, as ``as_view`` made it."""
        endpoints = importlib.import_module(ENDPOINTS_MODULE)
        view: RouteCallable = endpoints.view_function(self.endpoint)
        return view

    def __call__(self, **kwargs: Any) -> Any:
        # Whatever the real view returns; Flask makes it a response.
        return self.view(**kwargs)


def register_api(bp: Blueprint, route: Route) -> None:
    """Register the collection and item URLs of one resource."""
    group = LazyView(route.name)
    collection = f"/{route.name}"
    if route.parent is not None:
        collection = f"/{route.parent}/<id:parent_id>{collection}"
    # A collection answers without its trailing slash too: routing's redirect would be
    # Werkzeug's HTML, which no error handler sees. Links are built with the slash, the
    # first rule.
    for rule in (f"{collection}/", collection):
        bp.add_url_rule(rule, view_func=group, methods=list(route.group_methods))
    if not route.item_methods:
        return
    bp.add_url_rule(
        f"/{route.name}/<id:item_id>",
        view_func=LazyView(route.singular),
        methods=list(route.item_methods),
    )


def create_api_blueprint() -> Blueprint:
    """Build the API blueprint (URLs as in DESIGN.md, "API")."""
    bp = Blueprint("api", __name__, url_prefix=URL_PREFIX)
    bp.record_once(install_id_converter)
    bp.record_once(_answer_errors_as_problems)
    bp.record_once(_keep_retry_after_for_refusals)
    # Sessions prove their writes with the X-CSRFToken header, checked in
    # callers.require_write; token requests carry no cookies to forge.
    csrf.exempt(bp)
    for route in ROUTES:
        register_api(bp, route)
    index = LazyView("index")
    for rule in ("/", ""):  # "" is the prefix itself, /api/v1
        bp.add_url_rule(rule, view_func=index, methods=["GET"])
    for rule, endpoint in (
        ("/me", "me"),
        ("/plugins", "plugins"),
        ("/openapi.json", "openapi"),
        ("/docs", "docs"),
        ("/problems/<string(maxlength=64):kind>", "problem_type"),
    ):
        bp.add_url_rule(rule, view_func=LazyView(endpoint), methods=["GET"])
    answer_as_problems(bp)
    bp.after_request(add_rate_limit_headers)
    bp.after_request(_no_media_type_without_content)
    return bp


def _no_media_type_without_content(response: Response) -> Response:
    # Flask labels every response text/html, even one without a body; an API answer
    # with nothing to say says nothing. OPTIONS is Flask's automatic answer (an empty
    # 200): 204 with its Allow header is what it means.
    if request.method == "OPTIONS" and response.status_code == 200 and not response.data:
        response.status_code = 204
    if response.status_code in (204, 304) or (
        response.status_code < 400 and not response.is_streamed and not response.data
    ):
        response.headers.pop("Content-Type", None)
    return response


def _answer_errors_as_problems(state: BlueprintSetupState) -> None:
    # Errors raised before routing (an unknown /api/v1 URL, a wrong method) never reach
    # the blueprint's handlers; the app's error pages hand them over by URL prefix.
    errors.register_renderer(state.app, URL_PREFIX + "/", _problem_for_http_error)


def _keep_retry_after_for_refusals(state: BlueprintSetupState) -> None:
    # Flask-Limiter's app-wide after_request puts Retry-After on every answer; in the API
    # only 429 and 503 carry it (RFC 9110, section 10.2.3). App-wide after_request
    # functions run last registered first, so this one goes to the front to run last.
    state.app.after_request_funcs.setdefault(None, []).insert(0, _retry_after_only_on_refusals)


def _retry_after_only_on_refusals(response: Response) -> Response:
    under_api = request.path == URL_PREFIX or request.path.startswith(URL_PREFIX + "/")
    if under_api and response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def _problem_for_http_error(error: HTTPException) -> Response:
    if error.code == 500:
        return problem_response(Problem(500, HTTP_DETAILS[500]))
    return problem_response(from_http_exception(error))

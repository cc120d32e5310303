"""The JSON API under ``/api/v1`` and the personal access tokens that open it.

:func:`create_api_blueprint` mounts one :class:`~forumapp.api.resource.Resource` per kind of
thing with :func:`~forumapp.api.views.register_api`; the OpenAPI document and the docs page
are generated from the same list.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Response
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from forumapp import errors
from forumapp.api import factories, schemas
from forumapp.api.docs import ApiDocs, OpenApiDocument
from forumapp.api.limits import add_rate_limit_headers
from forumapp.api.problems import Problem, from_http_exception, problem_response
from forumapp.api.resource import Resource
from forumapp.api.views import MeAPI, register_api
from forumapp.extensions import csrf
from forumapp.forum.ids import install_id_converter

URL_PREFIX = "/api/v1"

#: The resources of version 1, in the order the documentation shows them.
RESOURCES: tuple[Resource, ...] = (
    Resource(
        "categories",
        "category",
        schemas.Category,
        schemas.PageQuery,
        factories.category_service,
        create_schema=schemas.CategoryCreate,
        update_schema=schemas.CategoryUpdate,
        summary="Categories holding at least one forum you may see (administrators: all). "
        "Administrators create, change and delete them.",
    ),
    Resource(
        "forums",
        "forum",
        schemas.Forum,
        schemas.ForumQuery,
        factories.forum_service,
        create_schema=schemas.ForumCreate,
        update_schema=schemas.ForumUpdate,
        summary="Forums you may see. Administrators create, change and delete them.",
    ),
    Resource(
        "topics",
        "topic",
        schemas.Topic,
        schemas.TopicQuery,
        factories.topic_service,
        create_schema=schemas.TopicCreate,
        update_schema=schemas.TopicUpdate,
        order="by id, newest first",
        summary="Topics of the forums you may see; deleted ones only to their moderators.",
    ),
    Resource(
        "posts",
        "post",
        schemas.Post,
        schemas.PostQuery,
        factories.post_service,
        create_schema=schemas.PostCreate,
        update_schema=schemas.PostUpdate,
        summary="Posts of the topics you may see, in the order written. Deleted and hidden "
        "posts show no text except to moderators.",
    ),
    Resource(
        "users",
        "user",
        schemas.User,
        schemas.PageQuery,
        factories.member_service,
        deletable=False,
        summary="Members' public profiles. Accounts are created by registering on the site.",
    ),
)


def create_api_blueprint(resources: Sequence[Resource] = RESOURCES) -> Blueprint:
    """Build the API blueprint (URLs as in DESIGN.md, "API")."""
    bp = Blueprint("api", __name__, url_prefix=URL_PREFIX)
    bp.record_once(install_id_converter)
    bp.record_once(_answer_errors_as_problems)
    # Sessions prove their writes with the X-CSRFToken header, checked in
    # callers.require_write; token requests carry no cookies to forge.
    csrf.exempt(bp)
    for resource in resources:
        register_api(bp, resource)
    bp.add_url_rule("/me", view_func=MeAPI.as_view("me"))
    bp.add_url_rule(
        "/openapi.json", view_func=OpenApiDocument.as_view("openapi", resources=resources)
    )
    bp.add_url_rule("/docs", view_func=ApiDocs.as_view("docs", resources=resources))
    bp.register_error_handler(Problem, problem_response)
    bp.after_request(add_rate_limit_headers)
    return bp


def _answer_errors_as_problems(state: BlueprintSetupState) -> None:
    # Errors raised before routing (an unknown /api/v1 URL, a wrong method) never reach
    # the blueprint's handlers; the app's error pages hand them over by URL prefix.
    errors.register_renderer(state.app, URL_PREFIX + "/", _problem_for_http_error)


def _problem_for_http_error(error: HTTPException) -> Response:
    if error.code == 500:
        return problem_response(Problem(500, "Something went wrong on our side; it is logged."))
    return problem_response(from_http_exception(error))

"""The API's views, built once per process from the resources of version 1.

Each :class:`~forumapp.api.resource.Resource` (its schemas and service factory) is passed
to the generic :class:`~forumapp.api.views.GroupAPI` and :class:`~forumapp.api.views.ItemAPI`
through ``as_view(...)``; the OpenAPI document and the docs page are generated from the
same tuple. :mod:`forumapp.api.routes` imports this module when the first API request
arrives.
"""

from __future__ import annotations

from functools import cache

from flask.typing import RouteCallable

from forumapp.api import conversations, factories, schemas
from forumapp.api.docs import ApiDocs, ApiIndex, OpenApiDocument
from forumapp.api.problem_types import ProblemTypePage
from forumapp.api.resource import Resource
from forumapp.api.views import GroupAPI, ItemAPI, MeAPI
from forumapp.plugins.api import PluginsAPI
from forumapp.plugins.factories import current_extensions

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
        deletion="Deletes an empty category for good; one with forums is a 409.",
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
        deletion="Deletes a forum without topics for good; one with topics is a 409.",
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
        deletion="A soft delete, as deleting its first post: the topic and its posts stay "
        "for the forum's moderators, who see it with `deleted: true` (and can restore it on "
        "the site); for everyone else it is gone (404).",
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
        deletion="A soft delete: the post keeps its place and number in the topic, and a "
        "later GET shows it with `deleted: true` and no text (moderators still see the text). "
        "Deleting a topic's first post deletes the topic.",
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
    Resource(
        "conversations",
        "conversation",
        conversations.Conversation,
        schemas.PageQuery,
        factories.conversation_service,
        create_schema=conversations.ConversationCreate,
        deletable=False,
        order="by id, newest first",
        summary="Your private conversations (members only). Nobody else's, whatever their "
        "role: a conversation you are not in is a 404.",
    ),
    Resource(
        "messages",
        "message",
        conversations.Message,
        schemas.PageQuery,
        factories.message_service,
        create_schema=conversations.MessageCreate,
        deletable=False,
        parent="conversations",
        has_items=False,
        summary="The messages of one of your conversations, in the order written.",
    ),
)


def view_function(endpoint: str) -> RouteCallable:
    """The view function of an API endpoint (``topics``, ``topic``, ``me``, ...)."""
    return _view_functions()[endpoint]


@cache
def _view_functions() -> dict[str, RouteCallable]:
    views: dict[str, RouteCallable] = {
        "me": MeAPI.as_view("me"),
        "plugins": PluginsAPI.as_view("plugins", extensions_factory=current_extensions),
        "openapi": OpenApiDocument.as_view("openapi", resources=RESOURCES),
        "docs": ApiDocs.as_view("docs", resources=RESOURCES),
        "index": ApiIndex.as_view("index", resources=RESOURCES),
        "problem_type": ProblemTypePage.as_view("problem_type"),
    }
    for resource in RESOURCES:
        views[resource.name] = GroupAPI.as_view(resource.name, resource=resource)
        if resource.has_items:
            views[resource.singular] = ItemAPI.as_view(resource.singular, resource=resource)
    return views

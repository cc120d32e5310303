"""Wiring the API's resource services from the app's database and the forum's services."""

from __future__ import annotations

from forumapp.api.conversations import ConversationResourceService, MessageResourceService
from forumapp.api.links import WebLinks
from forumapp.api.members import MemberResourceService
from forumapp.api.posts import PostResourceService
from forumapp.api.structure import CategoryResourceService, ForumResourceService
from forumapp.api.topics import TopicResourceService
from forumapp.extensions import db
from forumapp.forum import moderation_service_factory, posting_service_factory
from forumapp.management.factories import forum_administration_factory
from forumapp.messages.factories import conversation_service_factory


def category_service() -> CategoryResourceService:
    """Categories over the app's database."""
    return CategoryResourceService(db.session, forum_administration_factory, WebLinks())


def forum_service() -> ForumResourceService:
    """Forums over the app's database."""
    return ForumResourceService(db.session, forum_administration_factory, WebLinks())


def topic_service() -> TopicResourceService:
    """Topics through the forum's posting and moderation services (moderation is
    audited in the caller's name, as each event names its actor and address)."""
    return TopicResourceService(
        db.session, posting_service_factory(), moderation_service_factory(), WebLinks()
    )


def post_service() -> PostResourceService:
    """Posts through the forum's posting and moderation services."""
    return PostResourceService(
        db.session, posting_service_factory(), moderation_service_factory(), WebLinks()
    )


def member_service() -> MemberResourceService:
    """Members' public profiles."""
    return MemberResourceService(db.session, WebLinks())


def conversation_service() -> ConversationResourceService:
    """The caller's conversations through the messaging service (flood control, email)."""
    return ConversationResourceService(db.session, conversation_service_factory(), WebLinks())


def message_service(conversation_id: int) -> MessageResourceService:
    """The messages of one conversation through the messaging service."""
    return MessageResourceService(db.session, conversation_service_factory(), conversation_id)

"""Wiring the API's resource services from the app's database and the forum's services."""

from __future__ import annotations

from flask import current_app

from forumapp.api.callers import current_caller
from forumapp.api.links import WebLinks
from forumapp.api.members import MemberResourceService
from forumapp.api.posts import PostResourceService
from forumapp.api.structure import CategoryResourceService, ForumResourceService
from forumapp.api.topics import TopicResourceService
from forumapp.extensions import db
from forumapp.forum import MODERATION_OBSERVER, posting_service_factory
from forumapp.forum.moderation import ModerationEvent, ModerationService
from forumapp.management.factories import audit_log_factory, forum_administration_factory
from forumapp.sqltypes import utcnow


def category_service() -> CategoryResourceService:
    """Categories over the app's database."""
    return CategoryResourceService(db.session, forum_administration_factory, WebLinks())


def forum_service() -> ForumResourceService:
    """Forums over the app's database."""
    return ForumResourceService(db.session, forum_administration_factory, WebLinks())


def topic_service() -> TopicResourceService:
    """Topics through the forum's posting and moderation services."""
    return TopicResourceService(
        db.session, posting_service_factory(), api_moderation_service(), WebLinks()
    )


def post_service() -> PostResourceService:
    """Posts through the forum's posting and moderation services."""
    return PostResourceService(
        db.session, posting_service_factory(), api_moderation_service(), WebLinks()
    )


def member_service() -> MemberResourceService:
    """Members' public profiles."""
    return MemberResourceService(db.session, WebLinks())


def api_moderation_service() -> ModerationService:
    """The forum's moderation service, auditing in the API caller's name.

    The web's observer names the logged-in member, and a token request has none; where the
    app keeps a moderation record at all, API actions go into it like the web's do.
    """
    keeps_record = current_app.extensions.get(MODERATION_OBSERVER) is not None
    return ModerationService(db.session, utcnow, _record_moderation if keeps_record else None)


def _record_moderation(event: ModerationEvent) -> None:
    audit_log_factory().record(
        current_caller().auditor,
        event.action,
        event.target_type,
        event.target_id,
        event.target_label,
        event.details,
    )

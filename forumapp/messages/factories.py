"""The one place that wires the messaging services from the app's configuration.

Each factory is called by a view, inside a request, and returns a ready service (or, for
:attr:`MessagesFactories.actor`, who is asking). :func:`default_factories` bundles them
for :func:`forumapp.messages.create_messages_blueprint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from forumapp.extensions import db
from forumapp.forum.actor import current_actor
from forumapp.forum.limits import posts_per_member, previews_per_member, reports_per_member
from forumapp.forum.permissions import Actor
from forumapp.http import external_url
from forumapp.jobs.factories import mail_delivery
from forumapp.messages.conversations import ConversationService, MessageBudgets
from forumapp.messages.emails import TemplateMessageMailer
from forumapp.messages.limits import conversations_per_member
from forumapp.messages.mailbox import Mailbox
from forumapp.messages.rules import MessagingSettings
from forumapp.sqltypes import utcnow
from forumapp.users.blocks import BlockService


@dataclass(frozen=True)
class MessagesFactories:
    """What the messaging views are built with: one factory per service, and who asks."""

    actor: Callable[[], Actor]
    conversations: Callable[[], ConversationService]
    mailbox: Callable[[], Mailbox]
    blocks: Callable[[], BlockService]


#: ``app.extensions`` key of the :class:`~forumapp.messages.conversations.MessageEvents`
#: the conversation service tells of new messages, if any (set by the notifications).
MESSAGE_EVENTS = "forumapp.message_events"


def messaging_settings() -> MessagingSettings:
    """The site's messaging rules, as configured now (the panel may change them)."""
    config = current_app.config
    return MessagingSettings(
        max_participants=config["MESSAGES_MAX_PARTICIPANTS"],
        min_posts=config["MESSAGES_MIN_POSTS"],
        min_account_days=config["MESSAGES_MIN_ACCOUNT_DAYS"],
        page_size=config["MESSAGES_PER_PAGE"],
    )


def conversation_service_factory() -> ConversationService:
    """Conversations over the app's database, with flood control and email."""
    mailer = TemplateMessageMailer(
        deliver=mail_delivery(),
        link=external_url,
        site_name=current_app.config["SITE_NAME"],
    )
    budgets = MessageBudgets(
        posts_per_member, conversations_per_member, previews_per_member, reports_per_member
    )
    return ConversationService(
        db.session,
        utcnow,
        messaging_settings(),
        mailer,
        budgets,
        events=current_app.extensions.get(MESSAGE_EVENTS),
    )


def mailbox_factory() -> Mailbox:
    """The reading side of conversations over the app's database."""
    config = current_app.config
    return Mailbox(db.session, config["MESSAGES_PER_PAGE"], config["PAGE_WRITE_WAIT_MS"])


def block_service_factory() -> BlockService:
    """Members' blocks over the app's database."""
    return BlockService(db.session, utcnow)


def default_factories() -> MessagesFactories:
    """forumapp's own services over its SQLAlchemy tables."""
    return MessagesFactories(
        actor=current_actor,
        conversations=conversation_service_factory,
        mailbox=mailbox_factory,
        blocks=block_service_factory,
    )

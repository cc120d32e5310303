"""The messages blueprint: private conversations at ``/messages/...``, and the block
buttons of profile pages (``/user/<username>/block``).

Each page is a ``MethodView`` whose services come from :class:`MessagesFactories`
through ``as_view``, with ``login_required`` as a class-level decorator, as in the auth
and account blueprints::

    from forumapp.messages import create_messages_blueprint

    app.register_blueprint(create_messages_blueprint())              # forumapp's services
    app.register_blueprint(create_messages_blueprint(my_factories))  # your own
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from flask.typing import RouteCallable

from forumapp import settings
from forumapp.domain_errors import answer_domain_errors
from forumapp.forum.ids import install_id_converter
from forumapp.http import no_store
from forumapp.messages import blocking, views
from forumapp.messages.factories import MessagesFactories, default_factories
from forumapp.messages.header import member_state

__all__ = ["MessagesFactories", "create_messages_blueprint", "default_factories"]

#: Settings the messaging pages read: a host app that sets none of them gets forumapp's.
CONFIG_KEYS = (
    "MESSAGES_MAX_PARTICIPANTS",
    "MESSAGES_PER_PAGE",
    "MESSAGES_CONVERSATION_LIMIT",
    "MESSAGES_MIN_POSTS",
    "MESSAGES_MIN_ACCOUNT_DAYS",
)


def create_messages_blueprint(
    factories: MessagesFactories | None = None, *, name: str = "messages"
) -> Blueprint:
    """Build the messages blueprint with ``factories`` (forumapp's own when omitted)."""
    f = factories or default_factories()
    blueprint = Blueprint(name, __name__)
    blueprint.record_once(install_id_converter)
    blueprint.record_once(_default_settings)
    blueprint.after_request(no_store)
    # The header's unread count and the topic pages' folded posts read it.
    blueprint.add_app_template_global(member_state)
    answer_domain_errors(blueprint)
    for rule, view_func in _rules(f):
        blueprint.add_url_rule(rule, view_func=view_func)
    return blueprint


def _rules(f: MessagesFactories) -> list[tuple[str, RouteCallable]]:
    asker = {"actor_factory": f.actor}
    writing = {**asker, "conversations_factory": f.conversations}
    blocks = {**asker, "blocks_factory": f.blocks}
    conversation = "/messages/<id:conversation_id>"
    return [
        ("/messages/", views.Inbox.as_view("inbox", mailbox_factory=f.mailbox, **asker)),
        ("/messages/new", views.NewConversation.as_view("new", **writing)),
        (
            conversation,
            views.ConversationPage.as_view("conversation", mailbox_factory=f.mailbox, **writing),
        ),
        (f"{conversation}/participants", views.AddParticipant.as_view("add", **writing)),
        (f"{conversation}/leave", views.Leave.as_view("leave", **writing)),
        (f"{conversation}/archive", views.Archive.as_view("archive", **writing)),
        (f"{conversation}/unarchive", views.Unarchive.as_view("unarchive", **writing)),
        (f"{conversation}/mute", views.Mute.as_view("mute", **writing)),
        (f"{conversation}/unmute", views.Unmute.as_view("unmute", **writing)),
        ("/messages/report/<id:message_id>", views.ReportMessage.as_view("report", **writing)),
        ("/user/<username>/block", blocking.Block.as_view("block", **blocks)),
        ("/user/<username>/unblock", blocking.Unblock.as_view("unblock", **blocks)),
    ]


def _default_settings(state: BlueprintSetupState) -> None:
    for key in CONFIG_KEYS:
        state.app.config.setdefault(key, getattr(settings, key))

"""Notifications: watching topics and forums, @mentions, quotes, the ``/notifications``
list with its bell in the header, email at once or in digests, one-click unsubscribe.

Mount it with forumapp's own services, or with factories of your own::

    app.register_blueprint(create_notifications_blueprint())
    app.register_blueprint(create_notifications_blueprint(my_factories))

Mounting it makes the forum's posting and moderation services and the private messages
report their changes to it (:data:`forumapp.forum.FORUM_EVENTS`,
:data:`forumapp.messages.factories.MESSAGE_EVENTS`): each becomes one job of the app's
queue (:func:`forumapp.jobs.install_jobs` must have run), and the digests and pruning are
periodic jobs.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, g, request
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from forumapp import settings
from forumapp.domain_errors import answer_domain_errors
from forumapp.extensions import csrf
from forumapp.forum.factories import FORUM_EVENTS
from forumapp.forum.ids import install_id_converter
from forumapp.jobs.factories import job_queue
from forumapp.messages.factories import MESSAGE_EVENTS
from forumapp.notifications import cli, views
from forumapp.notifications.factories import NotificationFactories, default_factories
from forumapp.notifications.forms import FORUM_LEVEL_CHOICES, LEVEL_CHOICES
from forumapp.notifications.inbox import Bell, describe
from forumapp.notifications.kinds import LABELS
from forumapp.notifications.schedule import install_notification_jobs
from forumapp.notifications.work import QueuedEvents

__all__ = ["NotificationFactories", "create_notifications_blueprint", "default_factories"]

#: Settings the notification pages and jobs read: a host app that sets none gets these.
CONFIG_KEYS = (
    "NOTIFICATIONS_MAX_MENTIONS",
    "NOTIFICATIONS_PER_PAGE",
    "NOTIFICATIONS_RETENTION_DAYS",
)
#: The pages whose topic or forum the bell's query also reads the member's level of.
_TOPIC_PAGES = frozenset({"forum.topic"})
_FORUM_PAGES = frozenset({"forum.forum"})


def create_notifications_blueprint(factories: NotificationFactories | None = None) -> Blueprint:
    """Build the notifications blueprint with ``factories`` (forumapp's own when omitted)."""
    f = factories or default_factories()
    bp = Blueprint("notifications", __name__, cli_group="notify")
    bp.cli.help = "Send notification digests, delete old notifications."
    bp.record_once(install_id_converter)
    bp.record_once(_default_settings)
    bp.record_once(_report_events(f))
    answer_domain_errors(bp)
    bp.add_app_template_global(_bell(f), "notification_bell")
    bp.add_app_template_global(describe, "describe_notification")
    bp.add_app_template_global(LABELS.__getitem__, "kind_label")
    bp.add_app_template_global(
        lambda target: FORUM_LEVEL_CHOICES if target == "forum" else LEVEL_CHOICES,
        "watch_levels",
    )
    inbox = {"inbox_factory": f.inbox}
    watching = {"actor_factory": f.actor, "watching_factory": f.watching}
    bp.add_url_rule(
        "/notifications",
        view_func=views.NotificationList.as_view("list", **inbox, per_page=f.per_page),
    )
    bp.add_url_rule(
        "/notifications/<id:notification_id>",
        view_func=views.OpenNotification.as_view("open", **inbox),
    )
    bp.add_url_rule(
        "/notifications/mark-all-read",
        view_func=views.MarkNotificationsRead.as_view("mark_all_read", **inbox),
    )
    unsubscribe = views.Unsubscribe.as_view(
        "unsubscribe", tokens_factory=f.tokens, choices_factory=f.choices
    )
    # RFC 8058: the mail client's POST carries no CSRF token; the signed token stands in.
    bp.add_url_rule("/notifications/unsubscribe/<token>", view_func=csrf.exempt(unsubscribe))
    bp.add_url_rule(
        "/settings/notifications",
        view_func=views.NotificationSettings.as_view("settings", choices_factory=f.choices),
    )
    bp.add_url_rule(
        "/topic/<id:topic_id>/watch", view_func=views.WatchTopic.as_view("watch_topic", **watching)
    )
    bp.add_url_rule(
        "/forum/<id:forum_id>/watch", view_func=views.WatchForum.as_view("watch_forum", **watching)
    )
    cli.register(bp, f)
    return bp


def _default_settings(state: BlueprintSetupState) -> None:
    for key in CONFIG_KEYS:
        state.app.config.setdefault(key, getattr(settings, key))


def _report_events(f: NotificationFactories) -> Callable[[BlueprintSetupState], None]:
    def install(state: BlueprintSetupState) -> None:
        # Each event becomes a job in the change's own unit of work: a worker does the
        # fan-out once it commits, and a rollback takes the job with it.
        events = QueuedEvents(job_queue)
        state.app.extensions[FORUM_EVENTS] = events
        state.app.extensions[MESSAGE_EVENTS] = events
        app = state.app
        assert isinstance(app, Flask)  # a blueprint is registered on a Flask app
        install_notification_jobs(app, f)

    return install


def _bell(f: NotificationFactories) -> Callable[[], Bell | None]:
    def notification_bell() -> Bell | None:
        """The member's bell (and levels for the page's topic or forum): one query per
        request, made when the header first asks; ``None`` for guests."""
        if not current_user.is_authenticated:
            return None
        if "notification_bell" not in g:
            values = request.view_args or {}
            topic_id = values.get("topic_id") if request.endpoint in _TOPIC_PAGES else None
            forum_id = values.get("forum_id") if request.endpoint in _FORUM_PAGES else None
            g.notification_bell = f.inbox().bell(current_user.id, topic_id, forum_id)
        bell: Bell = g.notification_bell
        return bell

    return notification_bell

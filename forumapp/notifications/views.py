"""The notification pages: ``MethodView`` classes whose services come from
:class:`~forumapp.notifications.factories.NotificationFactories` through ``as_view``."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.account.limits import settings_saves_per_member
from forumapp.auth.decorators import login_required
from forumapp.forum.permissions import Actor
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.reports.desk import Resolution
from forumapp.notifications.choices import ChoicesService
from forumapp.notifications.forms import (
    NotificationSettingsForm,
    WatchForm,
    settings_data,
    submitted_choices,
)
from forumapp.notifications.inbox import Inbox
from forumapp.notifications.kinds import MODERATION_NOTICES, Level
from forumapp.notifications.models import Notification
from forumapp.notifications.tokens import (
    InvalidUnsubscribeToken,
    UnsubscribeTokens,
    Unsubscription,
)
from forumapp.notifications.watching import WatchService

#: The second sentence of the flash after a watch level is saved.
LEVEL_SAVED = {
    Level.WATCHING: _l("You are watching it: every new post is a notification."),
    Level.TRACKING: _l("You are tracking it: unread posts are marked, nothing more."),
    Level.MUTED: _l("It is muted: nothing from it will notify you."),
}


#: The deepest page asked for: an offset past it would overflow the database's integers.
MAX_PAGE = 100_000


def page_argument() -> int:
    """``?page=N`` as a number from 1 to :data:`MAX_PAGE`; anything else is page 1."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


class NotificationList(MethodView):
    """``/notifications``: the member's notifications, newest first, a page at a time."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, inbox_factory: Callable[[], Inbox], per_page: Callable[[], int]) -> None:
        self.inbox_factory = inbox_factory
        self.per_page = per_page

    def get(self) -> ResponseReturnValue:
        inbox = self.inbox_factory().page(current_user.id, page_argument(), self.per_page())
        return render_template("notifications/list.html", inbox=inbox)


def destination(line: Notification) -> str:
    """Where opening a notification leads: its conversation or post, else its topic,
    else the list."""
    if line.conversation_id is not None:
        return url_for("messages.conversation", conversation_id=line.conversation_id)
    removed = (
        line.detail.endswith(".delete") and line.detail in MODERATION_NOTICES
    ) or line.detail == Resolution.POST_DELETED
    if line.post_id is not None and not removed:
        return url_for("forum.post", post_id=line.post_id)
    if line.topic_id is not None and not removed:
        return url_for("forum.topic", topic_id=line.topic_id)
    return url_for("notifications.list")


class OpenNotification(MethodView):
    """``/notifications/<id>``: mark one read and go to what it is about.

    A link (GET), so that it works from the list and from emails; marking one's own
    notification read is all it changes.
    """

    decorators = [login_required]
    init_every_request = False

    def __init__(self, inbox_factory: Callable[[], Inbox]) -> None:
        self.inbox_factory = inbox_factory

    def get(self, notification_id: int) -> ResponseReturnValue:
        line = self.inbox_factory().open(current_user.id, notification_id)
        return redirect(destination(line))


class MarkNotificationsRead(MethodView):
    """``/notifications/mark-all-read`` (POST): mark every notification read."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, inbox_factory: Callable[[], Inbox]) -> None:
        self.inbox_factory = inbox_factory

    def post(self) -> ResponseReturnValue:
        self.inbox_factory().mark_all_read(current_user.id)
        flash(_("Every notification is marked as read."), "success")
        return redirect(url_for("notifications.list"))


class WatchView(MethodView):
    """Set the level a member follows something at: a POST from its page."""

    decorators = [login_required]
    init_every_request = False

    def __init__(
        self, actor_factory: Callable[[], Actor], watching_factory: Callable[[], WatchService]
    ) -> None:
        self.actor_factory = actor_factory
        self.watching_factory = watching_factory

    def chosen_level(self) -> Level:
        """The submitted level; a 400 for a forged form."""
        form = WatchForm()
        if not form.validate_on_submit():
            abort(400, description=_("Choose watching, tracking or muted."))
        return form.chosen()


class WatchTopic(WatchView):
    """``/topic/<id>/watch``."""

    def post(self, topic_id: int) -> ResponseReturnValue:
        level = self.chosen_level()
        self.watching_factory().watch_topic(self.actor_factory(), topic_id, level)
        flash(f"{_('Topic notifications saved.')} {LEVEL_SAVED[level]}", "success")
        return redirect(url_for("forum.topic", topic_id=topic_id))


class WatchForum(WatchView):
    """``/forum/<id>/watch``."""

    def post(self, forum_id: int) -> ResponseReturnValue:
        level = self.chosen_level()
        self.watching_factory().watch_forum(self.actor_factory(), forum_id, level)
        flash(f"{_('Forum notifications saved.')} {LEVEL_SAVED[level]}", "success")
        return redirect(url_for("forum.forum", forum_id=forum_id))


class NotificationSettings(MethodView):
    """``/settings/notifications``: email per kind and auto-watching."""

    decorators = [settings_saves_per_member, login_required]
    init_every_request = False
    template = "notifications/settings.html"

    def __init__(self, choices_factory: Callable[[], ChoicesService]) -> None:
        self.choices_factory = choices_factory

    def get(self) -> ResponseReturnValue:
        choices = self.choices_factory().choices_of(current_user.id)
        form = NotificationSettingsForm(data=settings_data(choices))
        return render_template(self.template, form=form)

    def post(self) -> ResponseReturnValue:
        form = NotificationSettingsForm()
        if not form.validate_on_submit():
            return render_template(self.template, form=form)
        self.choices_factory().save(current_user.id, submitted_choices(form))
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))


class Unsubscribe(MethodView):
    """``/notifications/unsubscribe/<token>``: the one-click unsubscribe of RFC 8058.

    No login and no CSRF token: a mail client POSTs ``List-Unsubscribe=One-Click`` on its
    own, and the signed token is the only authority needed (it can only turn email off).
    A GET, which link checkers and previews make, only shows the confirm button.
    """

    init_every_request = False
    template = "notifications/unsubscribe.html"

    def __init__(
        self,
        tokens_factory: Callable[[], UnsubscribeTokens],
        choices_factory: Callable[[], ChoicesService],
    ) -> None:
        self.tokens_factory = tokens_factory
        self.choices_factory = choices_factory

    def get(self, token: str) -> ResponseReturnValue:
        unsubscription = self._read(token)
        return render_template(self.template, unsubscription=unsubscription, done=False)

    def post(self, token: str) -> ResponseReturnValue:
        unsubscription = self._read(token)
        self.choices_factory().turn_off(unsubscription.user_id, unsubscription.kinds)
        return render_template(self.template, unsubscription=unsubscription, done=True)

    def _read(self, token: str) -> Unsubscription:
        try:
            return self.tokens_factory().read(token)
        except InvalidUnsubscribeToken:
            abort(
                400,
                description=_(
                    "This unsubscribe link is not valid: it may have been cut short or "
                    "changed. Use the link of the email as it came, or change your email "
                    "settings after logging in."
                ),
            )

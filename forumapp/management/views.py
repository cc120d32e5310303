"""The management panel's views. Each declares its area and a fresh login as class-level
``decorators``: the role check runs first (403 for others), then the password check
(a redirect to Reauth when the login is older than ``REAUTH_WINDOW_SECONDS``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView, View
from flask_login import current_user

from forumapp.auth.decorators import fresh_login_required
from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.forum.pages import page_argument
from forumapp.forum.views import domain_errors
from forumapp.http import text_argument
from forumapp.management.access import Area, areas_for, staff_only
from forumapp.management.audit import AuditLog, Auditor
from forumapp.management.factories import ManagementFactories
from forumapp.management.forms import BanForm
from forumapp.management.stats import DashboardStats
from forumapp.management.users import UserAdministration
from forumapp.users.models import User

PER_PAGE = 50


def current_auditor() -> Auditor:
    """The logged-in member as the audit log records them."""
    return Auditor(current_user.id, current_user.username, request.remote_addr or "")


def render_panel(template: str, **context: object) -> str:
    """A panel page, with the navigation the member's group may use."""
    return render_template(template, areas=areas_for(current_user.group), **context)


class Dashboard(View):
    """Counts, 30 days of activity, recent posts and versions."""

    decorators = [fresh_login_required, staff_only(Area.DASHBOARD)]
    methods = ["GET"]
    init_every_request = False

    def __init__(self, stats_factory: Callable[[], DashboardStats]) -> None:
        self.stats_factory = stats_factory

    def dispatch_request(self) -> ResponseReturnValue:
        return render_panel("management/dashboard.html", dashboard=self.stats_factory().dashboard())


class UserList(View):
    """Members, searchable by name or email, newest first."""

    decorators = [fresh_login_required, staff_only(Area.USERS)]
    methods = ["GET"]
    init_every_request = False

    def __init__(self, users_factory: Callable[[], UserAdministration]) -> None:
        self.users_factory = users_factory

    def dispatch_request(self) -> ResponseReturnValue:
        query = text_argument(request.args, "q", 100)
        page = self.users_factory().list(query, page_argument(), PER_PAGE)
        return render_panel("management/users.html", page=page, form=BanForm())


class BanPage(MethodView):
    """Ban or unban a member (see the two subclasses); GET asks for confirmation."""

    decorators = [fresh_login_required, staff_only(Area.USERS)]
    init_every_request = False
    #: Whether the page bans (its template words the confirmation accordingly).
    bans = True

    def __init__(self, users_factory: Callable[[], UserAdministration]) -> None:
        self.users_factory = users_factory

    def get(self, user_id: int) -> ResponseReturnValue:
        service = self.users_factory()
        try:
            target = service.get(user_id)
        except NotFound:
            abort(404)
        return self._page(service, target, BanForm())

    def post(self, user_id: int) -> ResponseReturnValue:
        form = BanForm()
        service = self.users_factory()
        with domain_errors():
            target = service.get(user_id)
            if form.validate_on_submit():
                try:
                    user = self.apply(service, user_id, form)
                except InvalidInput as exc:
                    form.add_errors([(exc.field, exc.reason)])
                else:
                    return redirect(url_for(".users", q=user.username))
        return self._page(service, target, form)

    def _page(self, service: UserAdministration, target: User, form: BanForm) -> str:
        returns_to = service.restore_group(target) if target.is_banned else target.group
        return render_panel(
            "management/ban.html", target=target, ban=self.bans, form=form, returns_to=returns_to
        )

    def apply(self, service: UserAdministration, user_id: int, form: BanForm) -> User:
        """Carry out the change for the current member; returns the member changed."""
        raise NotImplementedError


class BanUser(BanPage):
    """Ban a member, for good or until a date, with a reason."""

    bans = True

    def apply(self, service: UserAdministration, user_id: int, form: BanForm) -> User:
        """Ban the member; their sessions end."""
        until = datetime.combine(form.until.data, time(), tzinfo=UTC) if form.until.data else None
        user = service.ban(
            current_auditor(), current_user.group, user_id, form.reason.data or "", until
        )
        flash(f"{user.username} is banned and logged out everywhere.", "success")
        return user


class UnbanUser(BanPage):
    """Lift a member's ban, putting them back in the group they came from."""

    bans = False

    def apply(self, service: UserAdministration, user_id: int, form: BanForm) -> User:
        """Lift the ban."""
        user = service.unban(current_auditor(), current_user.group, user_id)
        flash(f"{user.username} is no longer banned.", "success")
        return user


class AuditLogView(View):
    """The audit log, newest first, filterable by action and by who acted."""

    decorators = [fresh_login_required, staff_only(Area.AUDIT)]
    methods = ["GET"]
    init_every_request = False

    def __init__(self, audit_factory: Callable[[], AuditLog]) -> None:
        self.audit_factory = audit_factory

    def dispatch_request(self) -> ResponseReturnValue:
        action = text_argument(request.args, "action", 64) or None
        actor = text_argument(request.args, "actor", 64) or None
        page = self.audit_factory().page(
            page_argument(), current_app.config.get("AUDIT_PER_PAGE", PER_PAGE), action, actor
        )
        return render_panel("management/audit.html", page=page, action=action, actor=actor)


def register(bp: Blueprint, factories: ManagementFactories) -> None:
    """Add the dashboard, the member list, bans and the audit log to the panel."""
    users = {"users_factory": factories.user_administration}
    bp.add_url_rule(
        "/", view_func=Dashboard.as_view("dashboard", stats_factory=factories.dashboard_stats)
    )
    bp.add_url_rule("/users", view_func=UserList.as_view("users", **users))
    bp.add_url_rule("/users/<id:user_id>/ban", view_func=BanUser.as_view("ban_user", **users))
    bp.add_url_rule("/users/<id:user_id>/unban", view_func=UnbanUser.as_view("unban_user", **users))
    bp.add_url_rule(
        "/audit", view_func=AuditLogView.as_view("audit", audit_factory=factories.audit_log)
    )

"""The audit log's page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from flask.views import View

from forumapp.auth.decorators import fresh_login_required
from forumapp.forum.pages import page_argument
from forumapp.http import text_argument
from forumapp.management.access import Area, staff_only
from forumapp.management.audit.log import AuditLog
from forumapp.management.factories import ManagementFactories
from forumapp.management.panel import render_panel

#: Entries per page unless ``AUDIT_PER_PAGE`` says otherwise.
PER_PAGE = 50


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
    """Add the audit log to the panel."""
    bp.add_url_rule(
        "/audit", view_func=AuditLogView.as_view("audit", audit_factory=factories.audit_log)
    )

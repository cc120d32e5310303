"""The reports queue of the panel: open and handled reports, resolved with a note."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from forumapp.auth.decorators import fresh_login_required
from forumapp.forum.actor import current_actor
from forumapp.forum.forms import HandleReportForm
from forumapp.forum.ids import id_argument
from forumapp.forum.moderation import ModerationService
from forumapp.http import client_address
from forumapp.management.access import Area, staff_only
from forumapp.management.factories import ManagementFactories
from forumapp.management.panel import render_panel
from forumapp.messages.moderation import MessageReports


class ReportsView(MethodView):
    """``?status=open`` (default) or ``handled``; POST marks one report handled."""

    decorators = [fresh_login_required, staff_only(Area.REPORTS)]
    init_every_request = False

    def __init__(self, moderation_service_factory: Callable[[], ModerationService]) -> None:
        self.moderation_service_factory = moderation_service_factory

    def get(self) -> ResponseReturnValue:
        handled = request.args.get("status") == "handled"
        reports = self.moderation_service_factory().open_reports(current_actor(), handled=handled)
        return render_panel(
            "management/reports.html", reports=reports, handled=handled, form=HandleReportForm()
        )

    def post(self) -> ResponseReturnValue:
        form = HandleReportForm()
        report_id = id_argument(request.form, "report_id")
        if not form.validate_on_submit() or report_id is None:
            abort(400)
        self.moderation_service_factory().handle_report(
            current_actor(), report_id, form.note.data or "", client_address=client_address()
        )
        flash("The report is marked as handled.", "success")
        return redirect(url_for(".reports"))


class MessageReportsView(MethodView):
    """``?status=open`` (default) or ``handled``; POST marks one report handled."""

    decorators = [fresh_login_required, staff_only(Area.REPORTS)]
    init_every_request = False

    def __init__(self, message_reports_factory: Callable[[], MessageReports]) -> None:
        self.message_reports_factory = message_reports_factory

    def get(self) -> ResponseReturnValue:
        handled = request.args.get("status") == "handled"
        reports = self.message_reports_factory().reports(current_actor(), handled=handled)
        return render_panel(
            "management/message_reports.html",
            reports=reports,
            handled=handled,
            form=HandleReportForm(),
        )

    def post(self) -> ResponseReturnValue:
        form = HandleReportForm()
        report_id = id_argument(request.form, "report_id")
        if not form.validate_on_submit() or report_id is None:
            abort(400)
        self.message_reports_factory().handle(
            current_actor(), report_id, form.note.data or "", client_address=client_address()
        )
        flash("The report is marked as handled.", "success")
        return redirect(url_for(".message_reports"))


def register(bp: Blueprint, factories: ManagementFactories) -> None:
    """Add the reports queue to the panel."""
    bp.add_url_rule(
        "/reports",
        view_func=ReportsView.as_view(
            "reports", moderation_service_factory=factories.moderation_service
        ),
    )
    bp.add_url_rule(
        "/reports/messages",
        view_func=MessageReportsView.as_view(
            "message_reports", message_reports_factory=factories.message_reports
        ),
    )

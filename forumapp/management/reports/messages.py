"""The queue of reported private messages (``/admin/reports/messages``), beside the
reports of posts."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from forumapp.auth.decorators import fresh_login_required
from forumapp.extensions import db
from forumapp.forum.actor import current_actor
from forumapp.forum.forms import HandleReportForm
from forumapp.forum.ids import id_argument
from forumapp.http import client_address
from forumapp.management.access import Area, staff_only
from forumapp.management.audit.log import AuditLog
from forumapp.management.panel import render_panel
from forumapp.messages.moderation import MessageReports
from forumapp.sqltypes import utcnow


def message_reports_factory() -> MessageReports:
    """The reported messages over the app's database, recording into the audit log."""
    return MessageReports(db.session, AuditLog(db.session, utcnow), utcnow)


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

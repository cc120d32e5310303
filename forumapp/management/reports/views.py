"""The reports queue of the panel: open reports with the reported post, resolved in place
(dismiss, delete the post, lock the topic, warn or suspend the author), and a tab of
resolved ones saying who resolved each, when and how."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.auth.decorators import fresh_login_required
from forumapp.forum.actor import current_actor
from forumapp.forum.errors import InvalidInput
from forumapp.forum.ids import id_argument
from forumapp.forum.models import Report
from forumapp.forum.permissions import Actor
from forumapp.http import client_address
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.access import Area, staff_only
from forumapp.management.factories import ManagementFactories
from forumapp.management.panel import render_panel
from forumapp.management.reports.desk import ReportDesk
from forumapp.management.reports.forms import (
    HandleReportForm,
    ReportAction,
    ResolveReportForm,
)
from forumapp.messages.moderation import MessageReports

#: What the queue says once an action is done.
DONE: dict[ReportAction, str] = {
    ReportAction.DISMISS: _l("The report is dismissed."),
    ReportAction.DELETE_POST: _l("The post is deleted and the report resolved."),
    ReportAction.LOCK_TOPIC: _l("The topic is locked and the report resolved."),
    ReportAction.WARN: _l("The author is warned by email and the report resolved."),
    ReportAction.SUSPEND: _l("The author is suspended and the report resolved."),
}


class ReportsView(MethodView):
    """``?status=open`` (default) or ``resolved``; POST resolves one report."""

    decorators = [fresh_login_required, staff_only(Area.REPORTS)]
    init_every_request = False

    def __init__(
        self,
        report_desk_factory: Callable[[], ReportDesk],
        actor_factory: Callable[[], Actor] = current_actor,
    ) -> None:
        self.report_desk_factory = report_desk_factory
        self.actor_factory = actor_factory

    def get(self) -> ResponseReturnValue:
        # "handled" is the tab's older name: links to it keep working.
        resolved = request.args.get("status") in ("resolved", "handled")
        entries = self.report_desk_factory().entries(self.actor_factory(), resolved=resolved)
        group = current_user.group
        return render_panel(
            "management/reports.html",
            entries=entries,
            resolved=resolved,
            form=ResolveReportForm(),
            may_suspend=group.admin or group.mod_banuser,
        )

    def post(self) -> ResponseReturnValue:
        form = ResolveReportForm()
        if not form.validate_on_submit():
            if form.report_id.errors or form.action.errors or form.csrf_token.errors:
                abort(400)
            for errors in (form.note.errors, form.days.errors):
                for error in errors:
                    flash(str(error), "error")
            return redirect(url_for(".reports"))
        action = ReportAction(form.action.data)
        try:
            self._apply(action, form)
        except InvalidInput as exc:
            flash(str(exc.reason), "error")
        else:
            flash(str(DONE[action]), "success")
        return redirect(url_for(".reports"))

    def _apply(self, action: ReportAction, form: ResolveReportForm) -> Report:
        desk, actor = self.report_desk_factory(), self.actor_factory()
        report_id, note, where = form.report_id.data, form.note.data or "", client_address()
        if action is ReportAction.DISMISS:
            return desk.dismiss(actor, report_id, note, client_address=where)
        if action is ReportAction.DELETE_POST:
            return desk.delete_post(actor, report_id, client_address=where)
        if action is ReportAction.LOCK_TOPIC:
            return desk.lock_topic(actor, report_id, client_address=where)
        if action is ReportAction.WARN:
            return desk.warn_author(actor, report_id, note, client_address=where)
        if form.days.data is None:
            raise InvalidInput("days", _("Say for how many days to suspend the author."))
        return desk.suspend_author(
            actor, current_user.group, report_id, form.days.data, note, client_address=where
        )


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
        flash(_("The report is marked as handled."), "success")
        return redirect(url_for(".message_reports"))


def register(bp: Blueprint, factories: ManagementFactories) -> None:
    """Add the reports queue to the panel."""
    bp.add_url_rule(
        "/reports",
        view_func=ReportsView.as_view("reports", report_desk_factory=factories.report_desk),
    )
    bp.add_url_rule(
        "/reports/messages",
        view_func=MessageReportsView.as_view(
            "message_reports", message_reports_factory=factories.message_reports
        ),
    )

"""The export and delete pages: ``/settings/export`` and ``/settings/delete``.

Both act on the member's whole account, so both want the password confirmed recently
(a stolen session must not walk away with the archive or erase the account); the export
is also rate limited per member, since each one reads everything the member wrote.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
)
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from forumapp.account.leaving.deletion import AccountDeleter, DeletionRequest
from forumapp.account.leaving.export import DataExporter
from forumapp.account.leaving.forms import REMOVE_POSTS, DeleteAccountForm, ExportForm
from forumapp.auth.decorators import fresh_login_required
from forumapp.auth.devices import request_client
from forumapp.extensions import limiter
from forumapp.forum.errors import Forbidden, InvalidInput
from forumapp.http import home_url
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.audit.log import Auditor

DataExporterFactory = Callable[[], DataExporter]
AccountDeleterFactory = Callable[[], AccountDeleter]


def _current_member_key() -> str:
    # Behind fresh_login_required: the account's id, shared by all of its sessions.
    return f"account-id:{current_user.id}"


#: Each export reads every post of the member: a few an hour are plenty for a person.
exports_per_member = limiter.limit(
    lambda: str(current_app.config["ACCOUNT_EXPORT_LIMIT"]),
    key_func=_current_member_key,
    methods=["POST"],
    error_message=_l("You have downloaded your data several times recently. Try again later."),
)


class ExportData(MethodView):
    """A page saying what the export holds; its button downloads the JSON file."""

    # The limit inside the login check: it counts members, never anonymous visitors.
    decorators = [exports_per_member, fresh_login_required]
    init_every_request = False

    def __init__(self, data_exporter_factory: DataExporterFactory) -> None:
        self.data_exporter_factory = data_exporter_factory

    def get(self) -> ResponseReturnValue:
        return render_template("account/export.html", form=ExportForm())

    def post(self) -> ResponseReturnValue:
        form = ExportForm()
        if not form.validate_on_submit():
            return render_template("account/export.html", form=form), 400
        export = self.data_exporter_factory().export(current_user.id)
        # The rows are read while the response streams: the request's context (and its
        # database session) must outlive the view.
        response = Response(stream_with_context(export.chunks), mimetype="application/json")
        response.headers.set("Content-Disposition", "attachment", filename=export.filename)
        return response


class DeleteAccount(MethodView):
    """Delete the member's own account after they type their username; logs them out."""

    decorators = [fresh_login_required]
    init_every_request = False

    def __init__(self, account_deleter_factory: AccountDeleterFactory) -> None:
        self.account_deleter_factory = account_deleter_factory

    def get(self) -> ResponseReturnValue:
        return self._render(self.account_deleter_factory(), DeleteAccountForm())

    def post(self) -> ResponseReturnValue:
        deleter = self.account_deleter_factory()
        form = DeleteAccountForm()
        if not form.validate_on_submit():
            return self._render(deleter, form)
        member = Auditor(current_user.id, current_user.username, request.remote_addr or "")
        choice = DeletionRequest(form.confirmation.data, form.posts.data == REMOVE_POSTS)
        try:
            deleted = deleter.delete(member, choice, client=request_client())
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return self._render(deleter, form)
        except Forbidden as exc:
            form.add_errors([("", exc.reason)])
            return self._render(deleter, form, status=403)
        # The server-side sessions went with the account; this ends the browser's cookies.
        logout_user()
        session.clear()
        flash(
            _(
                "The account %(username)s is deleted. Goodbye, and thank you.",
                username=deleted.username,
            ),
            "success",
        )
        return redirect(home_url())

    @staticmethod
    def _render(
        deleter: AccountDeleter, form: DeleteAccountForm, status: int = 200
    ) -> ResponseReturnValue:
        page = render_template(
            "account/delete.html",
            form=form,
            username=current_user.username,
            removal_allowed=deleter.posts_removal_allowed,
        )
        return page, status

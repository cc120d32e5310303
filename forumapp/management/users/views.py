"""Members in the panel: the list, bans (staff with the Users area), and editing,
deleting and emailing a member (admins only)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView, View
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forumapp.auth.decorators import fresh_login_required
from forumapp.auth.factories import AuthFactories
from forumapp.auth.services import AccountActivator, PasswordResetService
from forumapp.forms import ForumForm
from forumapp.forum.errors import InvalidInput
from forumapp.forum.pages import page_argument
from forumapp.http import text_argument
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.access import (
    Area,
    admins_only,
    group_may,
    may_ban,
    may_edit_members,
    staff_only,
)
from forumapp.management.factories import ManagementFactories
from forumapp.management.panel import current_auditor, render_panel
from forumapp.management.users.forms import BanForm, DeleteUserForm, EditUserForm
from forumapp.management.users.services import AccountChanges, UserAdministration
from forumapp.users.models import User

UsersFactory = Callable[[], UserAdministration]
ADMINS_ONLY = [fresh_login_required, admins_only]
#: Members per page of the list.
PER_PAGE = 50


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
        group = current_user.group
        return render_panel(
            "management/users.html",
            page=page,
            form=BanForm(),
            may_ban=may_ban(group),
            may_edit=may_edit_members(group),
        )


class BanPage(MethodView, ABC):
    """Ban or unban a member (see the two subclasses); GET asks for confirmation."""

    decorators = [
        fresh_login_required,
        group_may(may_ban, _l("Your group may not ban or unban members.")),
    ]
    init_every_request = False
    #: Whether the page bans (its template words the confirmation accordingly).
    bans = True

    def __init__(self, users_factory: Callable[[], UserAdministration]) -> None:
        self.users_factory = users_factory

    def get(self, user_id: int) -> ResponseReturnValue:
        service = self.users_factory()
        return self._page(service, service.get(user_id), BanForm())

    def post(self, user_id: int) -> ResponseReturnValue:
        form = BanForm()
        service = self.users_factory()
        target = service.get(user_id)
        if form.validate_on_submit():
            try:
                user = self.apply(service, user_id, form)
            except InvalidInput as exc:
                form.add_errors([(exc.field, str(exc.reason))])
            else:
                return redirect(url_for(".users", q=user.username))
        return self._page(service, target, form)

    def _page(self, service: UserAdministration, target: User, form: BanForm) -> str:
        returns_to = service.restore_group(target) if target.is_banned else target.group
        return render_panel(
            "management/ban.html", target=target, ban=self.bans, form=form, returns_to=returns_to
        )

    @abstractmethod
    def apply(self, service: UserAdministration, user_id: int, form: BanForm) -> User:
        """Carry out the change for the current member; returns the member changed."""


class BanUser(BanPage):
    """Ban a member, for good or until a date, with a reason."""

    bans = True

    def apply(self, service: UserAdministration, user_id: int, form: BanForm) -> User:
        """Ban the member; their sessions end."""
        until = datetime.combine(form.until.data, time(), tzinfo=UTC) if form.until.data else None
        user = service.ban(
            current_auditor(), current_user.group, user_id, form.reason.data or "", until
        )
        flash(_("%(name)s is banned and logged out everywhere.", name=user.username), "success")
        return user


class UnbanUser(BanPage):
    """Lift a member's ban, putting them back in the group they came from."""

    bans = False

    def apply(self, service: UserAdministration, user_id: int, form: BanForm) -> User:
        """Lift the ban."""
        user = service.unban(current_auditor(), current_user.group, user_id)
        flash(_("%(name)s is no longer banned.", name=user.username), "success")
        return user


class EditUser(MethodView):
    """Change a member's name, email, group and activation (moderators with the
    ``mod_edituser`` flag: all but the group, of members who are not staff)."""

    decorators = [
        fresh_login_required,
        group_may(may_edit_members, _l("Your group may not edit members.")),
    ]
    init_every_request = False

    def __init__(self, users_factory: UsersFactory) -> None:
        self.users_factory = users_factory

    def get(self, user_id: int) -> ResponseReturnValue:
        user = self.users_factory().editable(current_user.group, user_id)
        return self._page(user, self._form(obj=user))

    def post(self, user_id: int) -> ResponseReturnValue:
        user = self.users_factory().editable(current_user.group, user_id)
        form = self._form()
        if form.validate_on_submit():
            changes = AccountChanges(
                form.username.data, form.email.data, form.group_id.data, form.activated.data
            )
            try:
                self.users_factory().edit(current_auditor(), current_user.group, user_id, changes)
            except InvalidInput as exc:
                form.add_errors([(exc.field, str(exc.reason))])
            else:
                flash(_("The account is saved."), "success")
                return redirect(url_for(".users", q=changes.username))
        return self._page(user, form)

    def _page(self, user: User, form: EditUserForm) -> str:
        returns_to = self.users_factory().restore_group(user) if user.is_banned else None
        return render_panel(
            "management/user_edit.html", target=user, form=form, returns_to=returns_to
        )

    def _form(self, **kwargs: object) -> EditUserForm:
        form = EditUserForm(**kwargs)
        groups = self.users_factory().groups()
        form.group_id.choices = [SelectChoice(group.id, group.name) for group in groups]
        return form


class DeleteUser(MethodView):
    """Delete an account after a confirmation, keeping or removing its posts."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, users_factory: UsersFactory) -> None:
        self.users_factory = users_factory

    def get(self, user_id: int) -> ResponseReturnValue:
        user = self.users_factory().get(user_id)
        return render_panel("management/user_delete.html", target=user, form=DeleteUserForm())

    def post(self, user_id: int) -> ResponseReturnValue:
        form = DeleteUserForm()
        if not form.validate_on_submit():
            abort(400)
        keep = form.posts.data == "keep"
        name = self.users_factory().delete(current_auditor(), current_user.group, user_id, keep)
        flash(_("The account %(name)s is deleted.", name=name), "success")
        return redirect(url_for(".users"))


class EmailUser(MethodView, ABC):
    """Email a member a link (see the subclasses); the audit log records who asked.

    Admins never choose a member's password: the member picks it from the emailed link.
    """

    decorators = ADMINS_ONLY
    init_every_request = False
    #: The audit log's action for this email.
    action = ""

    def __init__(self, users_factory: UsersFactory) -> None:
        self.users_factory = users_factory

    def post(self, user_id: int) -> ResponseReturnValue:
        if not ForumForm().validate_on_submit():
            abort(400)
        service = self.users_factory()
        user = service.get(user_id)
        message = self.send(user)
        service.audit(current_auditor(), self.action, user)
        flash(message, "success")
        return redirect(url_for(".edit_user", user_id=user_id))

    @abstractmethod
    def send(self, user: User) -> str:
        """Send the email to ``user``; returns what to tell the admin."""


class SendActivation(EmailUser):
    """Send a member a new activation link, through the host's activation service."""

    action = "user.email_activation"

    def __init__(
        self, users_factory: UsersFactory, account_activator_factory: Callable[[], AccountActivator]
    ) -> None:
        super().__init__(users_factory)
        self.account_activator_factory = account_activator_factory

    def send(self, user: User) -> str:
        """Ask the activation service for a new link (it sends none to active accounts)."""
        self.account_activator_factory().request_activation(user.email)
        if user.activated:
            return str(_("The account is already activated; no email was sent."))
        return str(_("A new activation link is on its way."))


class SendReset(EmailUser):
    """Send a member a password reset link, through the host's reset service."""

    action = "user.email_reset"

    def __init__(
        self,
        users_factory: UsersFactory,
        password_reset_service_factory: Callable[[], PasswordResetService],
    ) -> None:
        super().__init__(users_factory)
        self.password_reset_service_factory = password_reset_service_factory

    def send(self, user: User) -> str:
        """Ask the reset service for a link."""
        self.password_reset_service_factory().request_reset(user.email)
        return str(_("A password reset link is on its way."))


def register(bp: Blueprint, factories: ManagementFactories, auth: AuthFactories) -> None:
    """Add the member views to the panel; the emails go through ``auth``, the
    services the host's auth blueprint uses."""
    users = {"users_factory": factories.user_administration}
    bp.add_url_rule("/users", view_func=UserList.as_view("users", **users))
    bp.add_url_rule("/users/<id:user_id>/ban", view_func=BanUser.as_view("ban_user", **users))
    bp.add_url_rule("/users/<id:user_id>/unban", view_func=UnbanUser.as_view("unban_user", **users))
    bp.add_url_rule("/users/<id:user_id>/edit", view_func=EditUser.as_view("edit_user", **users))
    bp.add_url_rule(
        "/users/<id:user_id>/delete", view_func=DeleteUser.as_view("delete_user", **users)
    )
    bp.add_url_rule(
        "/users/<id:user_id>/send-activation",
        view_func=SendActivation.as_view(
            "send_activation", account_activator_factory=auth.account_activator, **users
        ),
    )
    bp.add_url_rule(
        "/users/<id:user_id>/send-reset",
        view_func=SendReset.as_view(
            "send_reset", password_reset_service_factory=auth.password_reset_service, **users
        ),
    )

"""Editing, deleting and emailing a member from the panel (admins only)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from forumapp.auth.decorators import fresh_login_required
from forumapp.auth.factories import account_activator_factory, password_reset_service_factory
from forumapp.extensions import db
from forumapp.forms import ForumForm
from forumapp.forum.errors import InvalidInput
from forumapp.forum.views import domain_errors
from forumapp.management.access import admins_only
from forumapp.management.factories import user_administration_factory
from forumapp.management.forms import DeleteUserForm, EditUserForm
from forumapp.management.users import AccountChanges, UserAdministration
from forumapp.management.views import current_auditor, render_panel
from forumapp.users.models import Group, User

UsersFactory = Callable[[], UserAdministration]
ADMINS_ONLY = [fresh_login_required, admins_only]


class EditUser(MethodView):
    """Change a member's name, email, group and activation."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, users_factory: UsersFactory) -> None:
        self.users_factory = users_factory

    def get(self, user_id: int) -> ResponseReturnValue:
        with domain_errors():
            user = self.users_factory().get(user_id)
        return self._page(user, self._form(obj=user))

    def post(self, user_id: int) -> ResponseReturnValue:
        with domain_errors():
            user = self.users_factory().get(user_id)
        form = self._form()
        if form.validate_on_submit():
            changes = AccountChanges(
                form.username.data, form.email.data, form.group_id.data, form.activated.data
            )
            try:
                with domain_errors():
                    self.users_factory().edit(
                        current_auditor(), current_user.group, user_id, changes
                    )
            except InvalidInput as exc:
                form.add_errors([(exc.field, exc.reason)])
            else:
                flash("The account is saved.", "success")
                return redirect(url_for(".users", q=changes.username))
        return self._page(user, form)

    def _page(self, user: User, form: EditUserForm) -> str:
        returns_to = self.users_factory().restore_group(user) if user.is_banned else None
        return render_panel(
            "management/user_edit.html", target=user, form=form, returns_to=returns_to
        )

    @staticmethod
    def _form(**kwargs: object) -> EditUserForm:
        form = EditUserForm(**kwargs)
        groups = db.session.scalars(select(Group).order_by(Group.id))
        form.group_id.choices = [SelectChoice(group.id, group.name) for group in groups]
        return form


class DeleteUser(MethodView):
    """Delete an account after a confirmation, keeping or removing its posts."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, users_factory: UsersFactory) -> None:
        self.users_factory = users_factory

    def get(self, user_id: int) -> ResponseReturnValue:
        with domain_errors():
            user = self.users_factory().get(user_id)
        return render_panel("management/user_delete.html", target=user, form=DeleteUserForm())

    def post(self, user_id: int) -> ResponseReturnValue:
        form = DeleteUserForm()
        if not form.validate_on_submit():
            abort(400)
        keep = form.posts.data == "keep"
        with domain_errors():
            name = self.users_factory().delete(current_auditor(), current_user.group, user_id, keep)
        flash(f"The account {name} is deleted.", "success")
        return redirect(url_for(".users"))


class EmailUser(MethodView):
    """Send a member a new activation link or a password reset link (registered twice).

    Admins never choose a member's password: the member picks it from the emailed link.
    """

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, users_factory: UsersFactory, kind: str) -> None:
        self.users_factory = users_factory
        self.kind = kind

    def post(self, user_id: int) -> ResponseReturnValue:
        if not ForumForm().validate_on_submit():
            abort(400)
        service = self.users_factory()
        with domain_errors():
            user = service.get(user_id)
        if self.kind == "activation":
            account_activator_factory().request_activation(user.email)
            message = (
                "A new activation link is on its way."
                if not user.activated
                else ("The account is already activated; no email was sent.")
            )
        else:
            password_reset_service_factory().request_reset(user.email)
            message = "A password reset link is on its way."
        service.audit(current_auditor(), f"user.email_{self.kind}", user)
        flash(message, "success")
        return redirect(url_for(".edit_user", user_id=user_id))


def register(bp: Blueprint) -> None:
    """Add the member editing views to the panel."""
    users = {"users_factory": user_administration_factory}
    bp.add_url_rule("/users/<id:user_id>/edit", view_func=EditUser.as_view("edit_user", **users))
    bp.add_url_rule(
        "/users/<id:user_id>/delete", view_func=DeleteUser.as_view("delete_user", **users)
    )
    bp.add_url_rule(
        "/users/<id:user_id>/send-activation",
        view_func=EmailUser.as_view("send_activation", kind="activation", **users),
    )
    bp.add_url_rule(
        "/users/<id:user_id>/send-reset",
        view_func=EmailUser.as_view("send_reset", kind="reset", **users),
    )

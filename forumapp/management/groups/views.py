"""The Groups area of the panel (administrators only): list, create, edit, delete.

Like the other panel views, each declares its area and a fresh login as class-level
``decorators`` and receives its service factory through ``as_view``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView, View
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import SelectChoice

from forumapp.auth.decorators import fresh_login_required
from forumapp.management.access import Area, staff_only
from forumapp.management.factories import ManagementFactories
from forumapp.management.groups.forms import DeleteGroupForm, GroupForm, NewGroupForm
from forumapp.management.groups.services import GroupAdministration, InvalidGroup, flags_of
from forumapp.management.panel import current_auditor, render_panel
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group

GroupsFactory = Callable[[], GroupAdministration]


class GroupList(View):
    """Every group with its number of members."""

    decorators = [fresh_login_required, staff_only(Area.GROUPS)]
    methods = ["GET"]
    init_every_request = False

    def __init__(self, groups_factory: GroupsFactory) -> None:
        self.groups_factory = groups_factory

    def dispatch_request(self) -> ResponseReturnValue:
        return render_panel("management/groups.html", rows=self.groups_factory().rows())


class NewGroup(MethodView):
    """Create a group; it starts with the forum access of a group chosen on the form."""

    decorators = [fresh_login_required, staff_only(Area.GROUPS)]
    init_every_request = False

    def __init__(self, groups_factory: GroupsFactory) -> None:
        self.groups_factory = groups_factory

    def get(self) -> ResponseReturnValue:
        existing = [row.group for row in self.groups_factory().rows()]
        form = self._form(existing)
        member = next((group for group in existing if group.key == GroupKey.MEMBER), None)
        if member is not None:
            # Start from what an ordinary member may do and see.
            form.access_from.data = member.id
            for name in flags_of(member):
                form[name].data = True
        return render_panel("management/groups_form.html", form=form, group=None)

    def post(self) -> ResponseReturnValue:
        groups = self.groups_factory()
        form = self._form([row.group for row in groups.rows()])
        if form.validate_on_submit():
            access_from = form.access_from.data or None
            try:
                group = groups.create(current_auditor(), form.draft(), access_from)
            except InvalidGroup as exc:
                form.add_errors(exc.errors)
            else:
                flash(_("The group %(name)s is created.", name=group.name), "success")
                return redirect(url_for(".groups"))
        return render_panel("management/groups_form.html", form=form, group=None)

    @staticmethod
    def _form(existing: list[Group]) -> NewGroupForm:
        form = NewGroupForm()
        form.access_from.choices = [SelectChoice(0, _("No forum"))] + [
            SelectChoice(group.id, group.name) for group in existing
        ]
        return form


class EditGroup(MethodView):
    """Change a group's name, description and flags."""

    decorators = [fresh_login_required, staff_only(Area.GROUPS)]
    init_every_request = False

    def __init__(self, groups_factory: GroupsFactory) -> None:
        self.groups_factory = groups_factory

    def get(self, group_id: int) -> ResponseReturnValue:
        group = self.groups_factory().get(group_id)
        form = GroupForm(obj=group)
        return render_panel("management/groups_form.html", form=form, group=group)

    def post(self, group_id: int) -> ResponseReturnValue:
        groups = self.groups_factory()
        group = groups.get(group_id)
        form = GroupForm()
        if form.validate_on_submit():
            try:
                groups.update(current_auditor(), group_id, form.draft())
            except InvalidGroup as exc:
                form.add_errors(exc.errors)
            else:
                flash(_("The group %(name)s is saved.", name=group.name), "success")
                return redirect(url_for(".groups"))
        return render_panel("management/groups_form.html", form=form, group=group)


class DeleteGroup(MethodView):
    """Delete a group made by admins, after confirming where its members go."""

    decorators = [fresh_login_required, staff_only(Area.GROUPS)]
    init_every_request = False

    def __init__(self, groups_factory: GroupsFactory) -> None:
        self.groups_factory = groups_factory

    def get(self, group_id: int) -> ResponseReturnValue:
        return self._render(self.groups_factory(), group_id, DeleteGroupForm())

    def post(self, group_id: int) -> ResponseReturnValue:
        groups = self.groups_factory()
        form = DeleteGroupForm()
        if form.validate_on_submit():
            try:
                deleted = groups.delete(current_auditor(), group_id, form.target_id.data)
            except InvalidGroup as exc:
                form.add_errors(exc.errors)
            else:
                flash(
                    ngettext(
                        "The group %(name)s is deleted; %(num)d member moved to %(target)s.",
                        "The group %(name)s is deleted; %(num)d members moved to %(target)s.",
                        deleted.members_moved,
                        name=deleted.name,
                        target=deleted.target_name,
                    ),
                    "success",
                )
                return redirect(url_for(".groups"))
        return self._render(groups, group_id, form)

    @staticmethod
    def _render(
        groups: GroupAdministration, group_id: int, form: DeleteGroupForm
    ) -> ResponseReturnValue:
        group = groups.get(group_id)
        if group.key is not None:
            abort(403, description=_("Built-in groups cannot be deleted."))
        targets = groups.move_targets(group_id)
        form.target_id.choices = [SelectChoice(target.id, target.name) for target in targets]
        if form.target_id.data is None:
            # Preselect the least privileged choice rather than the first (Administrator).
            form.target_id.data = next((t.id for t in targets if t.key == GroupKey.MEMBER), None)
        return render_panel(
            "management/groups_delete.html",
            form=form,
            group=group,
            members=groups.member_count(group_id),
        )


def register(bp: Blueprint, factories: ManagementFactories) -> None:
    """Add the Groups area's URL rules to the management blueprint."""
    groups = {"groups_factory": factories.group_administration}
    bp.add_url_rule("/groups", view_func=GroupList.as_view("groups", **groups))
    bp.add_url_rule("/groups/new", view_func=NewGroup.as_view("new_group", **groups))
    bp.add_url_rule(
        "/groups/<id:group_id>/edit", view_func=EditGroup.as_view("edit_group", **groups)
    )
    bp.add_url_rule(
        "/groups/<id:group_id>/delete", view_func=DeleteGroup.as_view("delete_group", **groups)
    )

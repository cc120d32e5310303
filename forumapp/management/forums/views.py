"""The categories-and-forums area of the panel, for administrators.

The editors serve two rules each: ``.../new`` (no id: create) and ``.../<id>/edit``.
Deleting asks for confirmation first; reordering is a POST button per direction.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView, View
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from forumapp.auth.decorators import fresh_login_required
from forumapp.forum.errors import InvalidInput
from forumapp.forum.ids import id_argument
from forumapp.forum.models import Category, Forum
from forumapp.management.access import Area, staff_only
from forumapp.management.factories import ManagementFactories
from forumapp.management.forums.forms import (
    CategoryForm,
    DeleteCategoryForm,
    DeleteForumForm,
    ForumSettingsForm,
    MoveForm,
    usernames,
)
from forumapp.management.forums.services import (
    Direction,
    ForumAdministration,
    ForumDraft,
    TopicDisposal,
)
from forumapp.management.panel import current_auditor, render_panel

AdministrationFactory = Callable[[], ForumAdministration]
ADMINS_ONLY = [fresh_login_required, staff_only(Area.FORUMS)]


def overview(anchor: str = "") -> Response:
    """Back to the list of categories and forums, at ``anchor``."""
    return redirect(url_for("management.forums") + (f"#{anchor}" if anchor else ""))


class StructureOverview(View):
    """Categories with their forums, in order, with the actions on each."""

    decorators = ADMINS_ONLY
    methods = ["GET"]
    init_every_request = False

    def __init__(self, administration_factory: AdministrationFactory) -> None:
        self.administration_factory = administration_factory

    def dispatch_request(self) -> ResponseReturnValue:
        return render_panel(
            "management/forums.html", categories=self.administration_factory().overview()
        )


class CategoryEditor(MethodView):
    """Create a category (no ``category_id``) or edit one."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, administration_factory: AdministrationFactory) -> None:
        self.administration_factory = administration_factory

    def get(self, category_id: int | None = None) -> ResponseReturnValue:
        category = self._category(self.administration_factory(), category_id)
        return self._render(CategoryForm(obj=category), category)

    def post(self, category_id: int | None = None) -> ResponseReturnValue:
        service = self.administration_factory()
        category = self._category(service, category_id)
        form = CategoryForm()
        if not form.validate_on_submit():
            return self._render(form, category)
        title, description = form.title.data, form.description.data or ""
        if category is None:
            category = service.create_category(current_auditor(), title, description)
            flash(_("The category %(title)s is created.", title=category.title), "success")
        else:
            service.update_category(current_auditor(), category.id, title, description)
            flash(_("The category %(title)s is saved.", title=category.title), "success")
        return overview(f"category-{category.id}")

    def _category(self, service: ForumAdministration, category_id: int | None) -> Category | None:
        if category_id is None:
            return None
        return service.category(category_id)

    def _render(self, form: CategoryForm, category: Category | None) -> ResponseReturnValue:
        return render_panel("management/category_edit.html", form=form, category=category)


class ForumEditor(MethodView):
    """Create a forum (no ``forum_id``; ``?category=`` preselects one) or edit one."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, administration_factory: AdministrationFactory) -> None:
        self.administration_factory = administration_factory

    def get(self, forum_id: int | None = None) -> ResponseReturnValue:
        service = self.administration_factory()
        if forum_id is None:
            form = self._form(
                service,
                category_id=id_argument(request.args, "category"),
                groups=[group.id for group in service.groups()],
            )
            return self._render(form, None)
        settings = service.forum_settings(forum_id)
        form = self._form(
            service,
            obj=settings.forum,
            groups=sorted(settings.group_ids),
            moderators=", ".join(settings.moderator_names),
        )
        return self._render(form, settings.forum)

    def post(self, forum_id: int | None = None) -> ResponseReturnValue:
        service = self.administration_factory()
        forum = None
        if forum_id is not None:
            forum = service.forum(forum_id)
        form = self._form(service)
        if not form.validate_on_submit():
            return self._render(form, forum)
        draft = ForumDraft(
            category_id=form.category_id.data,
            title=form.title.data,
            description=form.description.data or "",
            locked=form.locked.data,
            group_ids=frozenset(form.groups.data),
            moderator_names=usernames(form.moderators.data),
        )
        try:
            if forum is None:
                forum = service.create_forum(current_auditor(), draft)
                flash(_("The forum %(title)s is created.", title=forum.title), "success")
            else:
                service.update_forum(current_auditor(), forum.id, draft)
                flash(_("The forum %(title)s is saved.", title=forum.title), "success")
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return self._render(form, forum)
        return overview(f"forum-{forum.id}")

    def _form(self, service: ForumAdministration, **data: object) -> ForumSettingsForm:
        form = ForumSettingsForm(**data)
        form.category_id.choices = [
            SelectChoice(str(category.id), category.title) for category in service.categories()
        ]
        form.groups.choices = [
            SelectChoice(str(group.id), group.name) for group in service.groups()
        ]
        return form

    def _render(self, form: ForumSettingsForm, forum: Forum | None) -> ResponseReturnValue:
        return render_panel("management/forums_edit.html", form=form, forum=forum)


class MoveCategory(MethodView):
    """Move a category up or down the index."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, administration_factory: AdministrationFactory) -> None:
        self.administration_factory = administration_factory

    def post(self, category_id: int) -> ResponseReturnValue:
        form = MoveForm()
        if not form.validate_on_submit():
            abort(400, description=_("Choose up or down."))
        self.administration_factory().move_category(
            current_auditor(), category_id, Direction(form.direction.data)
        )
        return overview(f"category-{category_id}")


class MoveForum(MethodView):
    """Move a forum up or down within its category."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, administration_factory: AdministrationFactory) -> None:
        self.administration_factory = administration_factory

    def post(self, forum_id: int) -> ResponseReturnValue:
        form = MoveForm()
        if not form.validate_on_submit():
            abort(400, description=_("Choose up or down."))
        self.administration_factory().move_forum(
            current_auditor(), forum_id, Direction(form.direction.data)
        )
        return overview(f"forum-{forum_id}")


class DeleteCategory(MethodView):
    """Confirm, then delete a category; its forums move to another one."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, administration_factory: AdministrationFactory) -> None:
        self.administration_factory = administration_factory

    def get(self, category_id: int) -> ResponseReturnValue:
        service = self.administration_factory()
        return self._render(service, self._form(service, category_id), category_id)

    def post(self, category_id: int) -> ResponseReturnValue:
        service = self.administration_factory()
        form = self._form(service, category_id)
        if not form.validate_on_submit():
            return self._render(service, form, category_id)
        try:
            category = service.delete_category(
                current_auditor(), category_id, form.target_category_id.data
            )
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return self._render(service, form, category_id)
        flash(_("The category %(title)s is deleted.", title=category.title), "success")
        return overview()

    def _form(self, service: ForumAdministration, category_id: int) -> DeleteCategoryForm:
        form = DeleteCategoryForm()
        form.target_category_id.choices = [SelectChoice("", _("Choose a category"))] + [
            SelectChoice(str(category.id), category.title)
            for category in service.categories()
            if category.id != category_id
        ]
        return form

    def _render(
        self, service: ForumAdministration, form: DeleteCategoryForm, category_id: int
    ) -> ResponseReturnValue:
        category = service.category(category_id)
        return render_panel(
            "management/category_delete.html",
            category=category,
            forums=service.forums_in(category.id),
            form=form,
        )


class DeleteForum(MethodView):
    """Confirm, then delete a forum, moving its topics elsewhere or removing them."""

    decorators = ADMINS_ONLY
    init_every_request = False

    def __init__(self, administration_factory: AdministrationFactory) -> None:
        self.administration_factory = administration_factory

    def get(self, forum_id: int) -> ResponseReturnValue:
        service = self.administration_factory()
        return self._render(service, self._form(service, forum_id), forum_id)

    def post(self, forum_id: int) -> ResponseReturnValue:
        service = self.administration_factory()
        form = self._form(service, forum_id)
        if not form.validate_on_submit():
            return self._render(service, form, forum_id)
        try:
            forum = service.delete_forum(
                current_auditor(),
                forum_id,
                TopicDisposal(form.topics.data),
                form.target_forum_id.data,
            )
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return self._render(service, form, forum_id)
        flash(_("The forum %(title)s is deleted.", title=forum.title), "success")
        return overview()

    def _form(self, service: ForumAdministration, forum_id: int) -> DeleteForumForm:
        form = DeleteForumForm()
        form.target_forum_id.choices = [SelectChoice("", _("Choose a forum"))] + [
            SelectChoice(str(forum.id), forum.title, optgroup=category.title)
            for forum, category in service.forums()
            if forum.id != forum_id
        ]
        return form

    def _render(
        self, service: ForumAdministration, form: DeleteForumForm, forum_id: int
    ) -> ResponseReturnValue:
        forum = service.forum(forum_id)
        return render_panel("management/forums_delete.html", forum=forum, form=form)


def register(bp: Blueprint, factories: ManagementFactories) -> None:
    """Add the area's URL rules to the management blueprint."""
    service = {"administration_factory": factories.forum_administration}
    bp.add_url_rule("/forums", view_func=StructureOverview.as_view("forums", **service))
    bp.add_url_rule("/categories/new", view_func=CategoryEditor.as_view("new_category", **service))
    bp.add_url_rule(
        "/categories/<id:category_id>/edit",
        view_func=CategoryEditor.as_view("edit_category", **service),
    )
    bp.add_url_rule(
        "/categories/<id:category_id>/delete",
        view_func=DeleteCategory.as_view("delete_category", **service),
    )
    bp.add_url_rule(
        "/categories/<id:category_id>/move",
        view_func=MoveCategory.as_view("move_category", **service),
    )
    bp.add_url_rule("/forums/new", view_func=ForumEditor.as_view("new_forum", **service))
    bp.add_url_rule(
        "/forums/<id:forum_id>/edit", view_func=ForumEditor.as_view("edit_forum", **service)
    )
    bp.add_url_rule(
        "/forums/<id:forum_id>/delete", view_func=DeleteForum.as_view("delete_forum", **service)
    )
    bp.add_url_rule(
        "/forums/<id:forum_id>/move", view_func=MoveForum.as_view("move_forum", **service)
    )

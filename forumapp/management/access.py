"""Who may open which part of the management panel."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app
from flask_babel import gettext as _
from flask_login import current_user

from forumapp.extensions import login_manager
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.users.models import Group

F = TypeVar("F", bound=Callable[..., Any])


class Area(StrEnum):
    """The parts of the panel, in the order of its navigation."""

    DASHBOARD = "dashboard"
    USERS = "users"
    GROUPS = "groups"
    FORUMS = "forums"
    REPORTS = "reports"
    SETTINGS = "settings"
    PLUGINS = "plugins"
    THEMES = "themes"
    AUDIT = "audit"


#: The endpoint and the navigation label of each area.
AREA_LINKS: dict[Area, tuple[str, str]] = {
    Area.DASHBOARD: ("management.dashboard", _l("Dashboard")),
    Area.USERS: ("management.users", _l("Members")),
    Area.GROUPS: ("management.groups", _l("Groups")),
    Area.FORUMS: ("management.forums", _l("Forums")),
    Area.REPORTS: ("management.reports", _l("Reports")),
    Area.SETTINGS: ("management.settings", _l("Settings")),
    Area.PLUGINS: ("plugins.plugins", _l("Plugins")),
    Area.THEMES: ("plugins.themes", _l("Themes")),
    Area.AUDIT: ("management.audit", _l("Audit log")),
}


def may_ban(group: Group) -> bool:
    """Admins, and moderators whose group has the ``mod_banuser`` flag."""
    return not group.banned and (
        group.admin or ((group.mod or group.super_mod) and group.mod_banuser)
    )


def may_edit_members(group: Group) -> bool:
    """Admins, and moderators whose group has the ``mod_edituser`` flag (they edit the
    accounts of members who are not staff, not their group)."""
    return not group.banned and (
        group.admin or ((group.mod or group.super_mod) and group.mod_edituser)
    )


def may_enter(group: Group, area: Area) -> bool:
    """Admins everywhere; moderators who may ban or edit members, in the user list."""
    if group.banned:
        return False
    if group.admin:
        return True
    if area is Area.USERS:
        return may_ban(group) or may_edit_members(group)
    if area is Area.REPORTS:
        return group.mod or group.super_mod
    return False


def areas_for(group: Group) -> list[tuple[str, str]]:
    """Endpoints and labels of the areas a group may open and that exist in this app."""
    return [
        AREA_LINKS[area]
        for area in Area
        if may_enter(group, area) and AREA_LINKS[area][0] in current_app.view_functions
    ]


def staff_only(area: Area) -> Callable[[F], F]:
    """Anonymous visitors log in first; members without the right answer 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not may_enter(current_user.group, area):
                abort(403, description=_("This part of the management panel is not for you."))
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def group_may(check: Callable[[Group], bool], refusal: str) -> Callable[[F], F]:
    """Anonymous visitors log in first; members whose group fails ``check`` answer 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user.group):
                abort(403, description=refusal)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def admins_only(view: F) -> F:
    """Account changes beyond bans: administrators only."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.group.admin or current_user.group.banned:
            abort(403, description=_("Only administrators can change accounts."))
        return view(*args, **kwargs)

    return cast(F, wrapper)

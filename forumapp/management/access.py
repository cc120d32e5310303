"""Who may open which part of the management panel."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user

from forumapp.extensions import login_manager
from forumapp.users.models import Group

F = TypeVar("F", bound=Callable[..., Any])


class Area(StrEnum):
    """The parts of the panel."""

    DASHBOARD = "dashboard"
    USERS = "users"
    AUDIT = "audit"


def may_enter(group: Group, area: Area) -> bool:
    """Admins everywhere; moderators whose group may ban members, in the user list."""
    if group.banned:
        return False
    if group.admin:
        return True
    if area is Area.USERS:
        return (group.mod or group.super_mod) and group.mod_banuser
    return False


def areas_for(group: Group) -> list[Area]:
    """The areas a group may open, for the panel's navigation."""
    return [area for area in Area if may_enter(group, area)]


def staff_only(area: Area) -> Callable[[F], F]:
    """Anonymous visitors log in first; members without the right answer 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not may_enter(current_user.group, area):
                abort(403, description="This part of the management panel is not for you.")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator

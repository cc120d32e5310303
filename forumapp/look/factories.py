"""The one place that wires the look's services; a host app may pass its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forumapp.extensions import db
from forumapp.look.staff import StaffLinks


@dataclass(frozen=True)
class LookFactories:
    """Service factories for the pieces every page shows."""

    staff_links: Callable[[], StaffLinks]


def staff_links_factory() -> StaffLinks:
    """The staff links over the request's database session."""
    return StaffLinks(db.session)


def default_factories() -> LookFactories:
    """forumapp's own factories."""
    return LookFactories(staff_links=staff_links_factory)

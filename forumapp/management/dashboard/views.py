"""The panel's front page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask.views import View

from forumapp.auth.decorators import fresh_login_required
from forumapp.management.access import Area, staff_only
from forumapp.management.dashboard.stats import DashboardStats
from forumapp.management.factories import ManagementFactories
from forumapp.management.panel import render_panel


class Dashboard(View):
    """Counts, 30 days of activity, recent posts and versions."""

    decorators = [fresh_login_required, staff_only(Area.DASHBOARD)]
    methods = ["GET"]
    init_every_request = False

    def __init__(self, stats_factory: Callable[[], DashboardStats]) -> None:
        self.stats_factory = stats_factory

    def dispatch_request(self) -> ResponseReturnValue:
        return render_panel("management/dashboard.html", dashboard=self.stats_factory().dashboard())


def register(bp: Blueprint, factories: ManagementFactories) -> None:
    """Add the dashboard to the panel."""
    bp.add_url_rule(
        "/", view_func=Dashboard.as_view("dashboard", stats_factory=factories.dashboard_stats)
    )

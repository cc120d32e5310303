"""The home page view."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from flask.typing import ResponseReturnValue
from flask.views import View

from forumapp.home.services import CommunityStats


class HomePage(View):
    """The front page: what the forum is, who joined, and where to start."""

    methods = ["GET"]
    init_every_request = False

    def __init__(self, stats_factory: Callable[[], CommunityStats]) -> None:
        self.stats_factory = stats_factory

    def dispatch_request(self) -> ResponseReturnValue:
        return render_template("home/index.html", summary=self.stats_factory().summary())

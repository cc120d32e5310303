"""``GET /api/v1/plugins``: the enabled plugins and their settings, for administrators."""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from forumapp.api.callers import current_caller, require_member
from forumapp.api.conditional import json_response
from forumapp.api.problems import Problem
from forumapp.api.schemas import Plugin, PluginList
from forumapp.api.views import API_DECORATORS
from forumapp.plugins.live import LiveExtensions


class PluginsAPI(MethodView):
    """The plugins running in this worker with their settings' values; settings may hold
    what only administrators should read, so everyone else gets ``403``."""

    decorators = API_DECORATORS
    init_every_request = False

    def __init__(self, extensions_factory: Callable[[], LiveExtensions]) -> None:
        self.extensions_factory = extensions_factory

    def get(self) -> ResponseReturnValue:
        user = require_member(current_caller())
        if not user.group.admin or user.group.banned:
            raise Problem(403, "Only administrators may read the plugins' settings.")
        live = self.extensions_factory()
        installed = live.host.installed
        plugins = PluginList(
            items=[
                Plugin(
                    name=name,
                    version=installed[name].version,
                    summary=installed[name].summary,
                    settings=live.settings_of(name),
                )
                for name in sorted(live.host.loaded)
            ]
        )
        return json_response(request, plugins.model_dump(mode="json"))

"""What every page of the panel shares: the acting member as the audit log records
them, and the layout with the navigation their group may use.

The panel's views each declare their area and a fresh login as class-level
``decorators``: the role check runs first (403 for others), then the password check
(a redirect to Reauth when the login is older than ``REAUTH_WINDOW_SECONDS``).
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from forumapp.management.access import areas_for
from forumapp.management.audit.log import Auditor


def current_auditor() -> Auditor:
    """The logged-in member as the audit log records them."""
    return Auditor(current_user.id, current_user.username, request.remote_addr or "")


def render_panel(template: str, **context: object) -> str:
    """A panel page, with the navigation the member's group may use."""
    return render_template(template, areas=areas_for(current_user.group), **context)

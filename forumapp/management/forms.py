"""Management forms."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from forumapp.forms import ForumForm, strip_filter


class BanForm(ForumForm):
    """Confirm a ban (with an optional reason for the audit log) or an unban."""

    reason = TextAreaField(
        "Reason (kept in the audit log)",
        filters=[strip_filter],
        validators=[Optional(), Length(max=1000)],
    )

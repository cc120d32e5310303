"""The first-run setup form."""

from __future__ import annotations

from typing import Any

from flask import current_app
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from forumapp.auth.forms import NewAccountForm
from forumapp.forms import strip_filter
from forumapp.lazy_text import lazy_gettext as _l

#: Long enough for a code typed with spaces or dashes between its groups.
CODE_INPUT_MAX = 64
#: The panel's limit on the site name (``SITE_NAME`` in the editable settings).
SITE_NAME_MAX = 60


class SetupForm(NewAccountForm):
    """The setup code, the site's name and the first administrator's account."""

    code = StringField(
        _l("Setup code"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Enter the setup code printed where forumapp runs.")),
            Length(max=CODE_INPUT_MAX),
        ],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )
    site_name = StringField(
        _l("Site name"),
        filters=[strip_filter],
        validators=[
            InputRequired(_l("Name your site.")),
            Length(max=SITE_NAME_MAX, message=_l("Use at most %(max)d characters.")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.site_name.data is None:
            self.site_name.data = current_app.config["SITE_NAME"]

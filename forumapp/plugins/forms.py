"""The forms of the plugin and theme pages."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length

from forumapp.forms import ForumForm
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.plugins.host import PluginHost


class PluginSwitchForm(ForumForm):
    """One button of the plugin list: enable or disable the named plugin."""

    plugin = StringField(_l("Plugin"), validators=[DataRequired(), Length(max=64)])
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("enable", _l("Enable")), SelectChoice("disable", _l("Disable"))],
    )


class ThemeForm(ForumForm):
    """The choice of the active theme; the choices are the installed themes."""

    theme = RadioField(_l("Active theme"), validators=[DataRequired()])


def registration_fields(host: PluginHost) -> dict[str, UnboundField]:
    """The fields the loaded plugins add to the registration form (their
    ``forumapp_register_form_fields`` hooks): unbound fields named by identifiers."""
    fields: dict[str, UnboundField] = {}
    for result in host.call("forumapp_register_form_fields"):
        for name, field in dict(result.value or {}).items():
            if isinstance(field, UnboundField) and str(name).isidentifier():
                fields.setdefault(name, field)
    return fields

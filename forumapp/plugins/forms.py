"""The forms of the plugin and theme pages."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from forumapp.forms import ForumForm


class PluginSwitchForm(ForumForm):
    """One button of the plugin list: enable or disable the named plugin."""

    plugin = StringField("Plugin", validators=[DataRequired(), Length(max=64)])
    action = SelectField("Action", choices=[SelectChoice("enable", "Enable"), SelectChoice("disable", "Disable")])


class ThemeForm(ForumForm):
    """The choice of the active theme; the choices are the installed themes."""

    theme = RadioField("Active theme", validators=[DataRequired()])

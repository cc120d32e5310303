"""A well-behaved plugin implementing most hooks; it records the events it hears."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import AnyOf

from forumapp.plugins import hookimpl
from forumapp.plugins.current import plugin_setting
from forumapp.plugins.settings import PluginSetting

#: Every event heard, in order, in this process.
HEARD: list[object] = []


@hookimpl
def forumapp_plugin_settings() -> list[PluginSetting]:
    return [
        PluginSetting("GREETING", "Greeting", str, 1, 40, default="Hello from greeter"),
        PluginSetting("LOUD", "Shout it", bool, default=False),
    ]


@hookimpl
def forumapp_tpl_header() -> Markup:
    greeting = plugin_setting("greeter", "GREETING")
    if plugin_setting("greeter", "LOUD"):
        greeting = greeting.upper()
    return Markup('<p class="greeter-banner">{}</p>').format(greeting)


@hookimpl
def forumapp_tpl_post_footer(post: Any) -> str:
    # Plain text: the slot escapes it.
    return f"<b>greeter saw post #{post.number}</b>"


@hookimpl
def forumapp_tpl_profile_sidebar(user: Any) -> Markup:
    return Markup('<aside class="greeter-profile">Greeter knows {}</aside>').format(user.username)


@hookimpl
def forumapp_tpl_admin_dashboard() -> Markup:
    return Markup('<section class="card greeter-dashboard"><h2>Greeter</h2></section>')


@hookimpl
def forumapp_markdown(parser: MarkdownIt) -> None:
    def shout(state: Any) -> None:
        for block in state.tokens:
            for token in block.children or ():
                if token.type == "text":
                    token.content = token.content.replace("[greet]", "GREETINGS")

    parser.core.ruler.push("greeter_shout", shout)


@hookimpl
def forumapp_register_form_fields() -> dict[str, Any]:
    return {
        "club_colour": StringField(
            "Colour of the club",
            validators=[AnyOf(["blue"], message="Only members of the blue club may join.")],
        )
    }


@hookimpl
def forumapp_user_registered(event: object) -> None:
    HEARD.append(event)


@hookimpl
def forumapp_topic_created(event: object) -> None:
    HEARD.append(event)


@hookimpl
def forumapp_post_saved(event: object) -> None:
    HEARD.append(event)


@hookimpl
def forumapp_member_banned(event: object) -> None:
    HEARD.append(event)

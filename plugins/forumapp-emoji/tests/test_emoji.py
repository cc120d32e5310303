"""The plugin's own tests: the rule alone, then through forumapp's renderer and hooks."""

from __future__ import annotations

from importlib.metadata import entry_points

import forumapp_emoji
from markdown_it import MarkdownIt

from forumapp.forum.markdown import build_parser, render_with
from forumapp.plugins.discovery import ENTRY_POINT_GROUP
from forumapp.plugins.hookspecs import PROJECT


def emoji_parser() -> MarkdownIt:
    parser = build_parser()
    forumapp_emoji.forumapp_markdown(parser)
    return parser


def test_known_shortcodes_become_emoji() -> None:
    assert forumapp_emoji.replace_shortcodes("nice :smile: :+1:") == "nice 😄 👍"


def test_unknown_shortcodes_and_times_stay_as_written() -> None:
    assert forumapp_emoji.replace_shortcodes(":nope: at 10:30:15") == ":nope: at 10:30:15"


def test_posts_rendered_with_the_rule_show_emoji() -> None:
    assert render_with(emoji_parser(), "Thanks :tada:") == "<p>Thanks 🎉</p>\n"


def test_code_keeps_its_shortcodes() -> None:
    html = render_with(emoji_parser(), "`:smile:`\n\n    :smile:\n")
    assert "😄" not in html
    assert html.count(":smile:") == 2


def test_link_targets_are_not_changed() -> None:
    html = render_with(emoji_parser(), "[:smile:](https://example.org/:smile:)")
    assert 'href="https://example.org/:smile:"' in html
    assert ">😄</a>" in html


def test_the_hook_is_marked_for_forumapp() -> None:
    marker = getattr(forumapp_emoji.forumapp_markdown, f"{PROJECT}_impl", None)
    assert marker is not None


def test_the_plugin_declares_its_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert found.get("emoji") == "forumapp_emoji"
